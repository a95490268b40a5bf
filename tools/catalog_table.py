# -*- coding: utf-8 -*-
"""Seed table for the catalogs (key: context, zh_CN, bo, ii, en). Run once to (re)write the .po
files; afterwards the .po files are the source of truth and translators edit them directly."""
T = {
"start.title": ("Start screen: main title", "24小时政务自助服务", "ཆུ་ཚོད་ཉེར་བཞིའི་གཞུང་དོན་རང་སྒྲུབ་ཞབས་ཞུ།", "ꉬꑳꊰꄷꀋꁨꌋꇁꌠꑌꈨꀕ", "24-hour government self-service"),
"start.subtitle": ("Start screen: line under the title", "请选择要办理的业务", "ཁྱེད་ཀྱིས་སྒྲུབ་དགོས་པའི་ལས་དོན་འདེམས་རོགས།", "ꉢꀕꇬꑍꐥꀉꋍꂵꇖꇬ", "Choose a service"),
"start.loading": ("Start screen: while the list of services loads", "正在读取服务目录…", "ཞབས་ཞུའི་ཐོ་ཀློག་བཞིན་པ།…", "ꌋꇁꅉꀨꃀꄮꀕ…", "Loading the list of services…"),
"start.platform_down": ("Start screen: the service platform cannot be reached; {hours} = staffed hours like 09:00-17:30", "暂时连不上政务服务平台，部分业务无法办理。人工窗口办公时间 {hours}。", "གཞུང་དོན་ཞབས་ཞུའི་སྟེགས་བུ་དང་གནས་སྐབས་འབྲེལ་མཐུད་མ་ཐུབ། ལས་དོན་ཁ་ཤས་སྒྲུབ་མི་ཐུབ། མི་སྒེའུ་ཁུང་གི་ལས་ཀའི་དུས་ཚོད {hours}", "ꌋꇁꀕꄮꑌꅉꀋꐛ, ꀕꇬꀋꐥꀋꐯ. ꊿꌋꇁꑍꄮ {hours}", "The service platform cannot be reached right now; some services are unavailable. Staffed counters are open {hours}."),
"start.section.featured": ("Start screen: heading over the most used services", "常用服务", "རྒྱུན་སྤྱོད་ཞབས་ཞུ།", "ꌋꇁꀉꐥ", "Most used"),
"start.counter_only": ("Start screen: a service tile that must be done at a staffed counter", "请到人工窗口办理", "མི་སྒེའུ་ཁུང་དུ་སྒྲུབ་རོགས།", "ꊿꌋꇁꄮꇬꐥ", "At a staffed counter only"),
"start.device_down.printer": ("Start screen: a tile greyed out because the printer is not working", "打印机暂不可用", "པར་འདེབས་འཕྲུལ་ཆས་གནས་སྐབས་བེད་སྤྱོད་བྱེད་མི་ཐུབ།", "ꄉꑭꀋꐯ", "Printer not available"),
"bar.language": ("Top bar button that opens the language chooser; keep 'Language' so anyone can find it", "语言 Language", "སྐད་ཡིག Language", "ꉙꁱ Language", "Language 语言"),
"bar.large_text": ("Top bar button: switch to large text", "大字模式", "ཡིག་འབྲུ་ཆེན་པོ།", "ꁱꂷꀉ", "Large text"),
"bar.normal_text": ("Top bar button: back to normal text size", "标准字号", "ཡིག་འབྲུ་རྒྱུན་ལྡན།", "ꁱꂷꑌ", "Normal text"),
"bar.help": ("Top bar button: help", "帮助", "རོགས་རམ།", "ꀉꐚ", "Help"),
"voice.digit.0": ("Voice clip: the digit 0, spoken when a ticket number is read out", "零", "ཀླད་ཀོར།", "ꆺ", "zero"),
"voice.digit.1": ("Voice clip: the digit 1, spoken when a ticket number is read out", "一", "གཅིག", "ꋍ", "one"),
"voice.digit.2": ("Voice clip: the digit 2, spoken when a ticket number is read out", "二", "གཉིས", "ꑍ", "two"),
"voice.digit.3": ("Voice clip: the digit 3, spoken when a ticket number is read out", "三", "གསུམ", "ꌕ", "three"),
"voice.digit.4": ("Voice clip: the digit 4, spoken when a ticket number is read out", "四", "བཞི", "ꇖ", "four"),
"voice.digit.5": ("Voice clip: the digit 5, spoken when a ticket number is read out", "五", "ལྔ", "ꉬ", "five"),
"voice.digit.6": ("Voice clip: the digit 6, spoken when a ticket number is read out", "六", "དྲུག", "ꃘ", "six"),
"voice.digit.7": ("Voice clip: the digit 7, spoken when a ticket number is read out", "七", "བདུན", "ꏃ", "seven"),
"voice.digit.8": ("Voice clip: the digit 8, spoken when a ticket number is read out", "八", "བརྒྱད", "ꉆ", "eight"),
"voice.digit.9": ("Voice clip: the digit 9, spoken when a ticket number is read out", "九", "དགུ", "ꈬ", "nine"),
"voice.letter.A": ("Voice clip: the Latin letter A of a ticket number, as people say it", "A", "A", "A", "A"),
"voice.letter.B": ("Voice clip: the Latin letter B of a ticket number, as people say it", "B", "B", "B", "B"),
"voice.letter.C": ("Voice clip: the Latin letter C of a ticket number, as people say it", "C", "C", "C", "C"),
"voice.letter.D": ("Voice clip: the Latin letter D of a ticket number, as people say it", "D", "D", "D", "D"),
"voice.letter.E": ("Voice clip: the Latin letter E of a ticket number, as people say it", "E", "E", "E", "E"),
"voice.letter.F": ("Voice clip: the Latin letter F of a ticket number, as people say it", "F", "F", "F", "F"),
"voice.dash": ("Voice clip: the dash in a counter range like 1-4, said as to", "至", "ནས་", "ꀋ", "to"),
"bar.repeat": ("Top bar button: say the instructions of this screen again", "朗读", "ཡང་བསྐྱར་ཀློག", "ꀊꉙ", "Read aloud"),
"action.cancel": ("Bottom bar button: stop what you are doing and go back to the start (Mozilla term)", "取消", "ཕྱིར་འཐེན།", "ꀋꇬ", "Cancel"),
"action.back": ("Button: go back one screen", "返回", "ཕྱིར་ལོག", "ꇁꀐ", "Back"),
"action.back_to_start": ("Button: go to the start screen", "返回首页", "མགོ་ཤོག་ལ་ཕྱིར་ལོག", "ꀋꁨꄮꇁꀐ", "Back to start"),
"action.done": ("Button: finish the service", "完成", "ལེགས་གྲུབ།", "ꐥꀐ", "Done"),
"action.reprint": ("Button: try printing again", "重新打印", "ཡང་བསྐྱར་པར་འདེབས།", "ꀊꄉꑭ", "Print again"),
"action.retry": ("Button: try the same request again", "重试", "ཡང་བསྐྱར་ཚོད་ལྟ།", "ꀊꐥꇬ", "Try again"),
"common.please_wait": ("Waiting screens: body text", "请稍候，不要离开。", "ཅུང་ཙམ་སྒུག་རོགས། ཕྱིར་མ་འགྲོ།", "ꀋꇬꁨꇬ, ꀋꑌꀋꁧ.", "Please wait, don't leave yet."),
"done.title": ("Done screen: title after a service is finished", "办理完成，谢谢！", "ལས་དོན་ལེགས་གྲུབ། ཐུགས་རྗེ་ཆེ།", "ꐥꀐ, ꇬꎔ!", "All done. Thank you!"),
"done.body": ("Done screen: body", "请带好您的凭条和证件。屏幕稍后自动返回首页。", "ཁྱེད་ཀྱི་ཤོག་བྱང་དང་ལག་ཁྱེར་ལེན་རོགས། ཡོལ་བ་རང་འགུལ་གྱིས་མགོ་ཤོག་ལ་ཕྱིར་ལོག་ཡོང་།", "ꉢꁱꂷꀕꄉꑭꀕꆏꇬ. ꀋꁨꄮꇁꀐ.", "Take your receipt and your card. The screen returns to the start by itself."),
"error.failsafe.title": ("Error screen: something unexpected went wrong inside the terminal", "出了点问题", "ནོར་འཁྲུལ་ཞིག་བྱུང་སོང་།", "ꀋꐯꀕ", "Something went wrong"),
"error.failsafe.body": ("Error screen: body for an unexpected failure; reassure that personal data was not kept", "本次办理已停止，您的个人信息没有保存。请重新开始，或到人工窗口求助。", "ལས་དོན་འདི་མཚམས་བཞག་ཟིན། ཁྱེད་ཀྱི་མི་སྒེར་གྱི་ཆ་འཕྲིན་ཉར་མེད། ཡང་བསྐྱར་འགོ་འཛུགས་པའམ་མི་སྒེའུ་ཁུང་ལ་རོགས་རམ་ཞུ་རོགས།", "ꀕꇬꁨꀐ, ꉢꊿꄮꀋꉆ. ꀊꁨꇬ, ꊿꌋꇁꄮꇬ.", "This service has stopped and none of your personal details were kept. Please start again, or ask at a staffed counter."),
"error.timeout.title": ("Error screen: the terminal waited too long for an answer", "等待超时", "སྒུག་ཡུན་རིང་དྲགས་སོང་།", "ꁨꇬꀋꐛ", "This took too long"),
"error.timeout.body": ("Error screen: body for a timeout", "系统没有及时响应。请再试一次，或到人工窗口办理。", "མ་ལག་གིས་དུས་ཐོག་ལན་མ་བྱུང་། ཡང་བསྐྱར་ཚོད་ལྟ་བའམ་མི་སྒེའུ་ཁུང་དུ་སྒྲུབ་རོགས།", "ꀋꐛꇁ. ꀊꐥꇬ, ꊿꌋꇁꄮꇬꐥ.", "The system did not answer in time. Try again, or go to a staffed counter."),
"error.platform_down.title": ("Error screen: the government service platform cannot be reached (network down)", "暂时连不上服务平台", "ཞབས་ཞུའི་སྟེགས་བུ་དང་འབྲེལ་མཐུད་མ་ཐུབ།", "ꌋꇁꀕꄮꑌꅉꀋꐛ", "The service platform cannot be reached"),
"error.platform_down.body": ("Error screen: platform unreachable; {hours} = staffed hours", "这不是您的问题。请稍后再试，或在 {hours} 到人工窗口办理。", "འདི་ཁྱེད་ཀྱི་ནོར་འཁྲུལ་མིན། རྗེས་སུ་ཡང་བསྐྱར་ཚོད་ལྟ་བའམ་ {hours} རིང་མི་སྒེའུ་ཁུང་དུ་སྒྲུབ་རོགས།", "ꉢꀕꀋꐯꀋꂷ. ꀊꐥꇬ, ꀋꉆ {hours} ꊿꌋꇁꄮꇬꐥ.", "This is not your fault. Try again later, or go to a staffed counter during {hours}."),
"error.platform_fault.title": ("Error screen: the platform answered with an error", "服务暂时不可用", "ཞབས་ཞུ་གནས་སྐབས་བེད་སྤྱོད་བྱེད་མི་ཐུབ།", "ꌋꇁꀋꐯ", "The service is not available right now"),
"error.platform_fault.body": ("Error screen: platform fault; {hours} = staffed hours", "平台出现故障，已通知技术人员。请在 {hours} 到人工窗口办理。", "སྟེགས་བུར་སྐྱོན་ཞིག་བྱུང་། ལག་རྩལ་མི་སྣར་བརྡ་ཐོ་བཏང་ཟིན། {hours} རིང་མི་སྒེའུ་ཁུང་དུ་སྒྲུབ་རོགས།", "ꌋꇁꀕꄮꀋꐯ. {hours} ꊿꌋꇁꄮꇬꐥ.", "The platform has a fault; technicians have been told. Please go to a staffed counter during {hours}."),
"error.platform_rejected.title": ("Error screen: the platform refused the request", "无法办理", "སྒྲུབ་མི་ཐུབ།", "ꀋꐥꀋꐯ", "This cannot be done here"),
"error.platform_rejected.body": ("Error screen: request refused; {hours} = staffed hours", "平台未能受理这项申请。请在 {hours} 到人工窗口咨询。", "སྟེགས་བུས་རེ་ཞུ་འདི་ལེན་མ་ཐུབ། {hours} རིང་མི་སྒེའུ་ཁུང་ལ་འདྲི་རོགས།", "ꌋꇁꀕꄮꀋꐥ. {hours} ꊿꌋꇁꄮꇬꀨ.", "The platform could not accept this request. Please ask at a staffed counter during {hours}."),
"flow.queue_ticket.title": ("Service name: take a queue number for a staffed counter", "排队取号", "གྲལ་རིམ་ཨང་གྲངས་ལེན།", "ꀊꂷꄮꇬꁨ", "Take a queue number"),
"queue.loading.title": ("Queue ticket: loading the business types", "正在读取业务类型…", "ལས་དོན་གྱི་རིགས་ཀློག་བཞིན་པ།…", "ꀕꇬꅉꀨꃀ…", "Loading…"),
"queue.choose.title": ("Queue ticket: choose the kind of business", "请选择业务类型", "ལས་དོན་གྱི་རིགས་འདེམས་རོགས།", "ꀕꇬꇖꇬ", "Which kind of business?"),
"queue.choose.body": ("Queue ticket: body under the title", "取号后请留意叫号屏幕和语音。", "ཨང་གྲངས་བླངས་རྗེས་སྐད་བསྒྲགས་དང་ཡོལ་བར་དོ་སྣང་བྱེད་རོགས།", "ꀊꂷꁨꀐ, ꄮꇬꉙꀨꇬ.", "After you take a number, watch the call screen and listen for your number."),
"queue.option.detail": ("Queue ticket: under each business type; {waiting} people waiting, {counters} = counter numbers like 1-4", "{waiting} 人等候 · {counters} 号窗口", "མི་ {waiting} སྒུག་བཞིན་ཡོད། · སྒེའུ་ཁུང་ {counters}", "{waiting} ꊿꁨꇬ · ꌋꇁꄮ {counters}", "{waiting} waiting · counters {counters}"),
"queue.issuing.title": ("Queue ticket: asking the platform for a number", "正在取号…", "ཨང་གྲངས་ལེན་བཞིན་པ།…", "ꀊꂷꁨꀕ…", "Getting your number…"),
"queue.ticket.title": ("Queue ticket: the title over the issued number", "您的排队号", "ཁྱེད་ཀྱི་གྲལ་རིམ་ཨང་གྲངས།", "ꉢꀊꂷ", "Your number"),
"queue.ticket.counters": ("Queue ticket: where to go; {counters} = counter numbers, {waiting} = people ahead", "请到 {counters} 号窗口等候，前面还有 {waiting} 人", "སྒེའུ་ཁུང་ {counters} ལ་སྒུག་རོགས། མདུན་དུ་མི་ {waiting} ཡོད།", "ꌋꇁꄮ {counters} ꁨꇬ, ꃅꄮ {waiting} ꊿ", "Wait for counters {counters}; {waiting} people ahead of you"),
"queue.ticket.printed": ("Queue ticket: the paper ticket came out", "请取走打印的号票。也可以用手机扫描二维码保存。", "པར་བསྐྲུན་བྱས་པའི་ཨང་ཤོག་ལེན་རོགས། ཁ་པར་གྱིས་QRཨང་རྟགས་བཤེར་ནས་ཉར་ཆོག", "ꄉꑭꀕꁱꂷꆏꇬ. ꁧꃅꀕQRꄮꉆꇬ.", "Take your printed ticket. You can also scan the QR code with your phone."),
"queue.ticket.not_printed": ("Queue ticket: the number is valid but the paper did not print", "号票没有打印出来，但号码有效。请用手机扫描二维码或记下号码。", "ཨང་ཤོག་པར་བསྐྲུན་མ་ཐུབ། འོན་ཀྱང་ཨང་གྲངས་ནུས་ལྡན་ཡིན། ཁ་པར་གྱིས་QRཨང་རྟགས་བཤེར་བའམ་ཨང་གྲངས་ཟིན་བྲིས་གྱིས།", "ꄉꑭꀋꐛ, ꀊꂷꐯ. ꁧꃅꀕQRꄮꉆꇬ.", "The ticket did not print, but your number is valid. Scan the QR code with your phone or write the number down."),
"queue.receipt.title": ("Printed queue ticket: heading", "排队号票", "གྲལ་རིམ་ཨང་ཤོག", "ꀊꂷꁱꂷ", "Queue ticket"),
"queue.receipt.counters": ("Printed queue ticket: label before the counter numbers", "办理窗口", "ལས་སྒྲུབ་སྒེའུ་ཁུང་།", "ꌋꇁꄮ", "Counters"),
"queue.receipt.waiting": ("Printed queue ticket: {waiting} people ahead", "前面还有 {waiting} 人", "མདུན་དུ་མི་ {waiting} ཡོད།", "ꃅꄮ {waiting} ꊿ", "{waiting} people ahead"),
"print.printing.title": ("Printing screen: title", "正在打印…", "པར་འདེབས་བཞིན་པ།…", "ꄉꑭꀕ…", "Printing…"),
"print.printing.body": ("Printing screen: body", "请在出纸口取走凭条。", "ཤོག་བུ་ཐོན་སྒོ་ནས་ཤོག་བྱང་ལེན་རོགས།", "ꁱꂷꄮꀕꆏꇬ.", "Take the paper from the slot below the screen."),
"identify.idcard.title": ("Identify step: put the ID card on the reader", "请将身份证放在感应区", "ཐོབ་ཐང་ལག་ཁྱེར་ཀློག་ཆས་ཐོག་ཞོག་རོགས།", "ꉢꀕꁱꂷꄮꄉꇬ", "Place your ID card on the reader"),
"identify.idcard.body": ("Identify step: body; where the reader is", "感应区在屏幕下方，放好后请不要移动，直到读取完成。", "ཀློག་ཆས་ནི་ཡོལ་བའི་འོག་ཏུ་ཡོད། ཀློག་འདོན་ལེགས་གྲུབ་མ་བྱུང་བར་དུ་མ་སྒུལ།", "ꄮꀕꀋꁨꃅꄮꉆ, ꀋꐛꀋꑌꀋꇬ.", "The reader is below the screen. Keep the card still until reading is finished."),
"idle.title": ("Idle warning: title, shown and spoken when nobody has touched the screen", "您还在吗？", "ཁྱེད་ད་དུང་འདིར་བཞུགས་སམ།", "ꉢꀋꀐꀉ?", "Are you still there?"),
"idle.countdown": ("Idle warning: {seconds} seconds before everything is cleared", "{seconds} 秒后将清除本次信息并返回首页", "སྐར་ཆ་ {seconds} རྗེས་ཆ་འཕྲིན་བསུབ་ནས་མགོ་ཤོག་ལ་ཕྱིར་ལོག་ཡོང་།", "{seconds} ꇖ ꀋꁨꄮꇁꀐ", "In {seconds} seconds your details will be cleared and the screen goes back to the start"),
"idle.continue": ("Idle warning: the button that keeps the session", "继续办理", "མུ་མཐུད་དུ་སྒྲུབ།", "ꀊꐥꇬ", "Continue"),
"language.title": ("Language chooser: title", "请选择语言", "སྐད་ཡིག་འདེམས་རོགས།", "ꉙꁱꇖꇬ", "Choose a language"),
"language.body": ("Language chooser: body", "藏文和彝文界面会同时显示中文。", "བོད་ཡིག་དང་ཡི་ཡིག་ལ་རྒྱ་ཡིག་ཀྱང་མཉམ་དུ་སྟོན།", "ꆈꌠꁱꂷꄮꍏꇩꁱꂷꉆ.", "Tibetan and Yi screens also show Chinese."),
"language.choice.zh_CN": ("Language chooser: Chinese, named in itself (same in every catalog)", "中文", "中文", "中文", "中文"),
"language.choice.bo": ("Language chooser: Tibetan with Chinese, named in itself (same in every catalog)", "བོད་ཡིག", "བོད་ཡིག", "བོད་ཡིག", "བོད་ཡིག"),
"language.choice.ii": ("Language chooser: Yi with Chinese, named in itself (same in every catalog)", "ꆈꌠꁱꂷ", "ꆈꌠꁱꂷ", "ꆈꌠꁱꂷ", "ꆈꌠꁱꂷ"),
"language.with_chinese": ("Language chooser: under Tibetan and Yi, says Chinese is shown too (same in every catalog)", "+ 中文", "+ 中文", "+ 中文", "+ 中文"),
"language.choice.en": ("Language chooser: English, named in itself (same in every catalog)", "English", "English", "English", "English"),
"help.title": ("Help screen: title", "使用帮助", "བེད་སྤྱོད་རོགས་རམ།", "ꀉꐚ", "Help"),
"help.how": ("Help screen: how to use", "点击屏幕上的大按钮选择业务，按提示操作。任何时候都可以按“取消”回到首页。", "ཡོལ་བའི་ཐོག་གི་མཐེབ་ཆེན་མནན་ནས་ལས་དོན་འདེམས། བརྡ་སྟོན་ལྟར་བྱོས། དུས་ནམ་ཡིན་ཡང་“ཕྱིར་འཐེན”མནན་ནས་མགོ་ཤོག་ལ་ལོག་ཆོག", "ꄮꀕꀉꇬꀕꇖꇬ. ꀋꇬ ꀋꁨꄮꇁꀐ.", "Tap a large button to choose a service and follow the steps. Tap “Cancel” at any time to go back to the start."),
"help.staff": ("Help screen: where staff are", "需要帮助时，请到大厅服务台或拨打值班电话。", "རོགས་རམ་དགོས་ན་ཚོམས་ཆེན་གྱི་ཞབས་ཞུའི་སྟེགས་སམ་ལས་འཁུར་ཁ་པར་ལ་གཏོང་རོགས།", "ꀉꐚꇬ, ꌋꇁꄮꇬ.", "For help, go to the service desk in the hall or call the duty phone."),
"help.hours": ("Help screen: {hours} = staffed hours", "人工窗口办公时间：{hours}", "མི་སྒེའུ་ཁུང་གི་ལས་ཀའི་དུས་ཚོད། {hours}", "ꊿꌋꇁꑍꄮ: {hours}", "Staffed counters: {hours}"),
"help.hotline": ("Help screen: the government service hotline number 12345", "政务服务便民热线：12345", "གཞུང་དོན་ཞབས་ཞུའི་ཁ་པར། 12345", "ꌋꇁꁧꃅ: 12345", "Government service hotline: 12345"),
"help.privacy": ("Help screen: privacy promise", "本机不保存您的身份证信息和照片，办理结束后自动清除。", "འཕྲུལ་ཆས་འདིས་ཁྱེད་ཀྱི་ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཆ་འཕྲིན་དང་འདྲ་པར་མི་ཉར། ལས་དོན་ཚར་རྗེས་རང་འགུལ་གྱིས་བསུབ།", "ꀋꁨꉢꁱꂷꀋꉆ, ꐥꀐꀋꁨꄮꇁꀐ.", "This terminal does not keep your ID card details or photo; they are cleared when you finish."),
"status.line": ("Bottom status line; {time} = current time HH:MM, {hours} = staffed hours", "24小时自助服务 · 现在 {time} · 人工窗口 {hours}", "ཆུ་ཚོད་ཉེར་བཞིའི་རང་སྒྲུབ། · ད་ལྟ {time} · མི་སྒེའུ་ཁུང {hours}", "ꉬꑳꊰꄷ · {time} · ꊿꌋꇁ {hours}", "Open 24 hours · now {time} · staffed counters {hours}"),
"tech.entry.title": ("Technician entry: title", "技术人员登录", "ལག་རྩལ་མི་སྣ་ནང་འཛུལ།", "ꇁꌠꄮꇬ", "Technician sign-in"),
"tech.entry.body": ("Technician entry: body", "请输入维护密码。", "ཉམས་གསོའི་གསང་ཨང་འཇུག་རོགས།", "ꂷꄮꇬ.", "Enter the maintenance PIN."),
"tech.entry.unavailable": ("Technician entry: technician mode is not in this software version", "本版本尚未启用技术人员模式。", "པར་གཞི་འདིར་ལག་རྩལ་མི་སྣའི་རྣམ་པ་ད་དུང་སྤྱོད་མི་ཐུབ།", "ꀋꂷꀋꐛ.", "Technician mode is not enabled in this version."),
}

HEADER = '''# Kiosk user interface: {name}.
# Message ids are stable keys; Chinese (zh_CN) is the source language.
# Each entry: "#." gives translators the context, "# review:" the review status
# (source | native-checked | machine-draft: needs a native speaker's review before deployment).
msgid ""
msgstr ""
"Project-Id-Version: kiosk 0.1\\n"
"Language: {lang}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
'''
NAMES = {"zh_CN": "Chinese (source)", "bo": "Tibetan", "ii": "Sichuan Yi (Nuosu)", "en": "English"}
REVIEW = {"zh_CN": "source", "bo": "machine-draft", "ii": "machine-draft", "en": "native-checked"}


def esc(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def write(root):
    import os
    for i, lang in enumerate(("zh_CN", "bo", "ii", "en")):
        os.makedirs(f"{root}/{lang}/LC_MESSAGES", exist_ok=True)
        with open(f"{root}/{lang}/LC_MESSAGES/kiosk.po", "w", encoding="utf-8") as f:
            f.write(HEADER.format(name=NAMES[lang], lang=lang))
            for key, row in T.items():
                ctx, texts = row[0], row[1:]
                f.write("\n")
                f.write(f"#. {ctx}\n")
                if lang != "zh_CN":
                    f.write(f"#. zh_CN: {texts[0]}\n")
                f.write(f"# review: {REVIEW[lang]}\n")
                if "{" in texts[0]:
                    f.write("#, python-brace-format\n")
                f.write(f'msgid "{esc(key)}"\nmsgstr "{esc(texts[i])}"\n')


if __name__ == "__main__":
    import sys
    write(sys.argv[1] if len(sys.argv) > 1 else "locales")
