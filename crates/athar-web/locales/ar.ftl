# كلمات صفحات أثر بالعربية. لكل رسالة نظيرتها الإنكليزية في en.ftl (يتحقق اختبار من ذلك).
# الرسائل المعدودة تختار صيغتها حسب $form، وهي فئة الجمع في CLDR للعدد $n
# (zero وone وtwo وfew وmany وother)، يحسبها البرنامج بقواعد ICU4X.

app-name = أثر
app-tagline = توثيق ما يحدث للناس: العودة والاعتقال والاحتجاز والإخفاء والمصير
skip-to-content = انتقل إلى المحتوى
nav-persons = الأشخاص
nav-sign-out = تسجيل الخروج
nav-signed-in-as = الحساب: { $name }
lang-other = English
lang-other-code = en
demo-banner = بيانات تجريبية: كل الأشخاص هنا مُختلَقون.

sign-in-title = تسجيل الدخول
sign-in-username = اسم الحساب
sign-in-password = كلمة المرور
sign-in-code = الرمز المؤقت
sign-in-code-hint = للمديرين: الأرقام الستة من تطبيق المصادقة.
sign-in-button = دخول
signed-out = خرجت من الحساب.
session-ended = انتهت جلستك. سجّل الدخول مجدداً للمتابعة.

persons-title = الأشخاص
persons-search-label = الاسم، بحروف عربية أو لاتينية وبأي كتابة
persons-search-button = بحث
persons-all = { $form ->
    [zero] لا أحد
    [one] شخص واحد
    [two] شخصان
    [few] { $n } أشخاص
    [many] { $n } شخصًا
   *[other] { $n } شخص
}
persons-found-none = لم يُعثر على أحد بهذا الاسم
persons-found = { $form ->
    [zero] لم يُعثر على أحد بهذا الاسم
    [one] عُثر على شخص واحد، الأقرب أولاً
    [two] عُثر على شخصين، الأقرب أولاً
    [few] عُثر على { $n } أشخاص، الأقرب أولاً
    [many] عُثر على { $n } شخصًا، الأقرب أولاً
   *[other] عُثر على { $n } شخص، الأقرب أولاً
}
persons-none = لم يُسجَّل أي شخص بعد.
persons-next = الصفحة التالية
persons-first = الصفحة الأولى
col-name = الاسم
col-name-other-script = بالحروف الأخرى
col-born = الولادة
col-status = الحالة
col-match = التطابق
closeness-same-spelling = الكتابة نفسها
closeness-same-sound = كتابة أخرى
closeness-same-skeleton = مشابه
unidentified = مجهول الهوية

person-title = شخص
person-names = الأسماء
person-script-arab = بالحروف العربية
person-script-latn = بالحروف اللاتينية
person-given = الاسم
person-father = اسم الأب
person-grandfather = اسم الجد
person-family = الكنية
person-mother = اسم الأم
person-born = الولادة
person-sex = الجنس
sex-male = ذكر
sex-female = أنثى
sex-unknown = غير مسجّل
person-status = الوضع الحالي
person-journey = المسار
person-journey-none = لم يُسجَّل أي حدث لهذا الشخص.
person-steps = { $form ->
    [zero] لا أحداث
    [one] حدث واحد
    [two] حدثان
    [few] { $n } أحداث
    [many] { $n } حدثًا
   *[other] { $n } حدث
}
step-when = متى
step-what = ماذا
step-where = أين
step-who = الجهة
back-to-persons = العودة إلى الأشخاص

date-unknown = تاريخ غير معروف
date-approx = { $date } تقريباً
date-between = بين { $from } و{ $to }
month-1 = كانون الثاني
month-2 = شباط
month-3 = آذار
month-4 = نيسان
month-5 = أيار
month-6 = حزيران
month-7 = تموز
month-8 = آب
month-9 = أيلول
month-10 = تشرين الأول
month-11 = تشرين الثاني
month-12 = كانون الأول

not-found-title = غير موجود
not-found-text = لا توجد صفحة كهذه، أو أنها ليست مما يحق لك رؤيته.
error-title = حدث خطأ
error-text = تعذّر على الخادم الإجابة. لم يتغيّر شيء.

nav-new-case = حالة جديدة
nav-drafts = مسوداتي

intake-title = حالة جديدة
intake-intro = اكتب ما هو معروف واترك الباقي فارغاً: يُحفظ كل حقل كما كُتب تماماً، ويُحفظ على الخادم أثناء الكتابة، ولا يراه أحد غيرك حتى ترسل الحالة.
intake-person = الشخص
intake-birthplace = مكان الولادة
intake-date-hint = بالدقة المعروفة: 2019، 03/2019، آذار 2019، 12/03/2019، ~2019 (تقريباً)، 2018/2019 (إحداهما)، أو فارغ.
intake-place-hint = ابدأ بكتابة اسم محافظة أو منطقة أو ناحية واختره من القائمة، أو صف المكان كما يصفه المصدر.
intake-journey-hint = حدث واحد في كل مربع، بترتيب وقوعها: العودة، الاعتقال، الاحتجاز، النقل، الإخفاء، المصير.
intake-event-number = الحدث { $n }
intake-event-kind = ما الذي حدث
intake-event-date = التاريخ
intake-event-end = حتى (للاحتجاز)
intake-event-place = المكان
intake-event-facility = مكان الاحتجاز
intake-event-unit = الجهة المسؤولة
intake-event-host-country = أُعيد من (البلد)
intake-event-narrative = ما حدث كما رُوي
intake-add-event = أضف حدثاً
intake-remove-event = احذف الحدث { $n }
intake-source = المصدر
intake-source-kind = نوع المصدر
intake-source-title = المصدر (من روى، وأين، أو أي وثيقة)
intake-source-date = تاريخ المصدر
intake-source-reliability = موثوقية المصدر
intake-field = الحقل
intake-choose = — اختر —
reliability-a = A — موثوق تماماً
reliability-b = B — موثوق عادةً
reliability-c = C — موثوق إلى حد ما
reliability-d = D — غير موثوق عادةً
reliability-e = E — غير موثوق
reliability-f = F — لا يمكن الحكم
intake-submit = أرسل الحالة
intake-save = احفظ المسودة
intake-discard = احذف المسودة
intake-problems = { $form ->
    [zero] لا شيء يمنع الحالة
    [one] أمر واحد يمنع الحالة؛ لم يُكتب شيء
    [two] أمران يمنعان الحالة؛ لم يُكتب شيء
    [few] { $n } أمور تمنع الحالة؛ لم يُكتب شيء
    [many] { $n } أمراً تمنع الحالة؛ لم يُكتب شيء
   *[other] { $n } أمر تمنع الحالة؛ لم يُكتب شيء
}
intake-saved = حُفظت المسودة.
intake-event-added = أُضيف حدث في آخر المسار.
intake-event-removed = حُذف الحدث من المسودة.
intake-conflict-title = حُفظت هذه المسودة من نافذة أخرى
intake-conflict-text = لم يُكتب فوق شيء. أدناه ما يختلف؛ وما كتبته موجود في النموذج. احفظ المسودة لتبقي نسختك، أو افتح المسودة من جديد لتأخذ الأخرى.
intake-conflict-saved = المحفوظ في مكان آخر
intake-conflict-yours = المكتوب هنا
intake-state-server = تُحفظ على الخادم حين تحفظ المسودة.
intake-state-saved = كل ما كتبته محفوظ على الخادم.
intake-state-unsaved = لم يُحفظ بعد…
intake-state-offline = لم يُحفظ: انقطع الاتصال. يبقى ما كتبته في هذه الصفحة ويُحفظ حين يعود الاتصال؛ لا تغلق الصفحة.
intake-state-signed-out = لم يُحفظ: انتهت جلستك. سجّل الدخول من جديد في نافذة أخرى؛ يبقى ما كتبته في هذه الصفحة ويُحفظ حين تعود.
intake-state-conflict = لم يُحفظ: حُفظت هذه المسودة من نافذة أخرى. اضغط «احفظ المسودة» للمقارنة.
intake-state-failed = لم يُحفظ: رفض الخادم. يبقى ما كتبته في هذه الصفحة؛ اضغط «احفظ المسودة» لترى السبب.
case-written = سُجّلت الحالة.
draft-discarded = حُذفت المسودة.

drafts-title = مسوداتي
drafts-intro = حالات بدأتها ولم ترسلها، من أي حاسوب. لا يراها أحد غيرك.
drafts-none = ليست لديك مسودات.
drafts-count = { $form ->
    [zero] لا مسودات
    [one] مسودة واحدة
    [two] مسودتان
    [few] { $n } مسودات
    [many] { $n } مسودةً
   *[other] { $n } مسودة
}
drafts-col-name = الاسم المكتوب
drafts-col-events = الأحداث
drafts-col-saved = آخر حفظ
drafts-no-name = (لا اسم بعد)
drafts-resume = تابع
drafts-new = ابدأ حالة جديدة
intake-gone = أُرسلت هذه المسودة أو حُذفت في نافذة أخرى. ما كتبته هنا باقٍ في هذا النموذج كمسودة جديدة: احفظها لتبقيها.
intake-stale-form = فُتح هذا النموذج قبل آخر تسجيل دخول لك، فلم يُحفظ شيء. ما كتبته موجود هنا: اضغط «احفظ المسودة» مرة أخرى لتبقيه.

person-sources = المصادر
person-sources-none = لا يُذكر مصدر.
person-consent = الموافقة
person-consent-none = لم يُسجَّل قرار موافقة.
consent-purpose = لأجل
consent-answer = الجواب
consent-date = متى
consent-by = من أعطاها
consent-given = أُعطيت
consent-refused = رُفضت
consent-withdrawn = سُحبت
person-sharing = مُشارَك مع
person-sharing-none = غير مُشارَك مع أي منظمة أخرى.
share-line = { $org }: { $mode }
share-full = كاملاً
share-pseudonymised = دون ما يدل على الهوية
share-aggregate = في أعداد التحالف فقط
person-history = سجل تعديلات هذا السجل
revision-number = التعديل { $n }
revision-create = أُنشئ
revision-update = عُدّل
revision-delete = حُذف
revision-shred = أُتلفت بيانات الهوية
revision-before = قبل
revision-after = بعد

filter-title = التصفية
filter-any = أيّ
filter-status = الوضع الحالي
filter-kind = حدث من نوع
filter-governorate = في محافظة
filter-verification = التحقق لا يقل عن
filter-from = أحداث منذ
filter-to = أحداث حتى
filter-hint = يُعرض الشخص حين يكون وضعه هو المختار ويستوفي حدثٌ واحد من مساره كل الخيارات الأخرى معاً (يُحتسب التاريخ الذي قد يقع في الفترة). السجلات المربوطة لشخص واحد تُعرض مرة واحدة.
filter-apply = طبّق التصفية
filter-clear = ألغِ التصفية
filter-invalid = هذا الخيار ليس من القائمة.
filter-invalid-date = التاريخ غير مفهوم: اكتبه هكذا 2019 أو 03/2019 أو 12/03/2019.
verification-alleged = مُدّعى (مصدر واحد)
verification-corroborated = مؤيَّد
verification-verified = متحقَّق منه
persons-filtered = { $form ->
    [zero] لا أحد يستوفي التصفية
    [one] شخص واحد يستوفي التصفية
    [two] شخصان يستوفيان التصفية
    [few] { $n } أشخاص يستوفون التصفية
    [many] { $n } شخصًا يستوفون التصفية
   *[other] { $n } شخص يستوفون التصفية
}
filter-fix = لا يُعرض أحد حتى يُصحَّح الحقل المعلَّم أعلاه في التصفية.

nav-review = للتحقق
review-title = المراجعة
review-none = لم تُرسل للتحقق.
review-submitted = أرسلها { $name }؛ بانتظار أن يتحقق منها شخص آخر.
review-verified = تحقق منها { $name } (سجّلها { $author }).
review-returned = أعادها { $name } للتصحيح.
review-comment = السبب
review-own-case = أنت من أرسل هذه الحالة: يتحقق منها شخص آخر.
review-submit = أرسل للتحقق
review-verify = تحقّق من هذه الحالة
review-return-label = أو أعدها إلى من سجّلها مع ذكر السبب
review-return = أعدها مع هذا التعليق
review-step-submitted = أُرسلت الحالة للتحقق.
review-step-verified = تم التحقق من الحالة.
review-step-returned = أُعيدت الحالة إلى من سجّلها.
review-queue-title = حالات للتحقق
review-queue-intro = حالات أرسلها من سجّلها وتنتظر شخصاً ثانياً. لا يمكنك التحقق من حالاتك.
review-queue-none = لا حالة تنتظر التحقق.
review-queue-count = { $form ->
    [zero] لا حالات تنتظر
    [one] حالة واحدة تنتظر
    [two] حالتان تنتظران
    [few] { $n } حالات تنتظر
    [many] { $n } حالةً تنتظر
   *[other] { $n } حالة تنتظر
}
review-col-by = أرسلها
refused-title = لم يتم
refused-back = رجوع
filter-cases = الحالات
filter-cases-verified = تحقق منها شخص ثانٍ

person-evidence = الأدلة
person-evidence-none = لا أدلة محفوظة عن هذا الشخص.
evidence-name = الملف
evidence-unnamed = (ملف بلا اسم)
evidence-kind = النوع
evidence-kind-original = أصل
evidence-kind-redacted = نسخة منقّحة
evidence-kind-transcript = تفريغ
evidence-kind-translation = ترجمة
evidence-size-col = الحجم
evidence-size = { $kb } ك.ب
evidence-added = أُضيف
evidence-add = أضف دليلاً
evidence-description = كيف ومِن مَن حُصل عليه
evidence-file = الملف
evidence-hint = يُختم الملف مشفّراً لحظة وصوله ويُسجَّل بصمته SHA-256 في سلسلة التدقيق؛ وكل اطلاع وتنزيل يُدوَّن في سلسلة حيازته.
evidence-upload = ارفع
evidence-uploaded = حُفظ الدليل؛ بصمته SHA-256 معروضة أدناه.
evidence-back = العودة إلى الشخص
evidence-download = نزّل الأصل
evidence-download-hint = يُدوَّن التنزيل في سلسلة الحيازة؛ ويُتحقق من الملف ببصمته SHA-256 أثناء قراءته.
evidence-custody = سلسلة الحيازة
custody-evidence-ingest = استُلم
custody-evidence-view = اطُّلع عليه
custody-evidence-download = نُزّل
custody-evidence-export = صُدّر ضمن حزمة
custody-evidence-transfer = نُقل
evidence-no-file = اختر ملفاً لرفعه؛ لم يُحفظ شيء.
evidence-broken = لم يصل الملف كاملاً؛ لم يُحفظ شيء. حاول مرة أخرى.
digits-arabic-title = اكتب الأرقام بالأرقام الهندية
digits-western-title = اكتب الأرقام بالأرقام الغربية

person-status-why = السبب
status-why-no-events = لا يسجّل أي حدث أنه ضحية.
status-why-death = سُجّل { $event } ({ $date })؛ والوفاة نهائية مهما تلاها.
status-why-never-deprived = سُجّلت أحداث، ليس فيها ما يحرمه من حريته.
status-why-released = آخر حدث يمسّ حريته: { $event } ({ $date }).
status-why-disappearance = آخر حدث يمسّ حريته: { $event } ({ $date }).
status-why-held-at-facility = محتجز: آخر أحداث الاحتجاز، { $event } ({ $date })، يسمّي المكان.
status-why-held-place-unknown = محتجز لدى { $by } منذ { $event } ({ $date })؛ ولم يُعترف بمكان احتجازه.
status-why-held-by-unknown = حُرم من حريته ({ $event }، { $date }) على يد جهة غير مسجّلة، والمكان غير معروف.
status-why-stated = لا حدث يحسم؛ ذكره مصدر ({ $date }).

edit-title = تعديل بيانات الشخص
edit-link = عدّل البيانات
edit-hint = الحفظ يكتب تعديلاً جديداً؛ وتبقى التعديلات السابقة في السجل. والحالة التي تحقق منها أحد تعود إلى المراجعة متى عُدّلت.
edit-save = احفظ التعديلات
edit-saved = حُفظت التعديلات تعديلاً جديداً.
edit-problems = { $form ->
    [zero] لا شيء يمنع التعديل
    [one] أمر واحد يمنع التعديل؛ لم يُكتب شيء
    [two] أمران يمنعان التعديل؛ لم يُكتب شيء
    [few] { $n } أمور تمنع التعديل؛ لم يُكتب شيء
    [many] { $n } أمراً تمنع التعديل؛ لم يُكتب شيء
   *[other] { $n } أمر تمنع التعديل؛ لم يُكتب شيء
}
edit-conflict-title = حفظ شخص آخر هذا السجل أثناء تعديلك له
edit-conflict-text = لم يُكتب فوق شيء. أدناه ما يختلف بين السجل كما حُفظ الآن وما كتبته (وهو باقٍ في النموذج). احفظ مرة أخرى لتكتب نسختك فوقه.
edit-conflict-saved = المحفوظ الآن
evidence-sending = جارٍ الإرسال… {"{"}percent{"}"} ٪

nav-report = بلاغ عن مفقود
nav-reports = بلاغات المفقودين
report-title = عائلة تبلّغ عن شخص مفقود
report-intro = ما تعرفه العائلة بكلماتها؛ واترك الباقي فارغاً. وسيلة التواصل التي تعطيها تُختم مشفّرة ولا تراها إلا منظمتك. ثم يُبحث عن الشخص في السجلات.
report-missing = الشخص المفقود
report-last-seen = متى وأين شوهد آخر مرة
report-last-seen-date = شوهد آخر مرة في تاريخ
report-last-seen-place = شوهد آخر مرة في
report-circumstances = كيف فُقد، كما ترويه العائلة
report-family = العائلة
report-relative = المُبلِّغ (الاسم)
report-relation = صلته بالمفقود
report-contact = وسيلة التواصل مع العائلة
report-contact-hint = هاتف أو عنوان؛ يُختم مشفّراً.
report-date = تاريخ البلاغ
report-consent-search = الموافقة على البحث في السجلات وإبلاغ العائلة بما يُعثر عليه
report-consent-contact = الموافقة على التواصل عبر هذه الوسيلة
report-consent-given = أُعطيت
report-consent-refused = رُفضت
report-file = سجّل البلاغ
report-filed = سُجّل البلاغ؛ ويمكن الآن البحث عن الشخص.
report-problems = { $form ->
    [zero] لا شيء يمنع البلاغ
    [one] أمر واحد يمنع البلاغ؛ لم يُكتب شيء
    [two] أمران يمنعان البلاغ؛ لم يُكتب شيء
    [few] { $n } أمور تمنع البلاغ؛ لم يُكتب شيء
    [many] { $n } أمراً تمنع البلاغ؛ لم يُكتب شيء
   *[other] { $n } أمر تمنع البلاغ؛ لم يُكتب شيء
}
status-why-last-seen = شوهد آخر مرة: { $event } ({ $date })؛ ولا يُعرف شيء بعدها.
tracing-title = البحث عن { $name }
tracing-to-person = → سجل الشخص
matches-title = سجلات قد تكون للشخص نفسه
matches-none = لم تقرن أي عملية ربط هذا السجل بسجل آخر، ولم يُتّخذ فيه قرار.
matches-no-run = لم تُربط السجلات بعد: لم تقارن أي عملية ربط هذا السجل بغيره.
matches-col-probability = التطابق
matches-col-state = الآن
matches-col-decide = القرار
match-together = يُعدّان شخصاً واحداً
match-apart = يُعدّان شخصين
matches-search-all = قارنه بكل السجلات الآن (بحث العائلة)
tracing-link = بحث العائلة: المطابقات المرشحة والخطوات والنتيجة والرسالة
tracing-problems = { $form ->
    [zero] لا شيء يمنع ذلك
    [one] أمر واحد يمنع ذلك؛ لم يُكتب شيء
    [two] أمران يمنعان ذلك؛ لم يُكتب شيء
    [few] { $n } أمور تمنع ذلك؛ لم يُكتب شيء
    [many] { $n } أمراً تمنع ذلك؛ لم يُكتب شيء
   *[other] { $n } أمر تمنع ذلك؛ لم يُكتب شيء
}
tracing-outcome-title = ما انتهى إليه البحث
tracing-outcome-none = لم تُسجَّل نتيجة بعد.
tracing-outcome = النتيجة
tracing-outcome-no-match-yet = لا مطابقة حتى الآن
tracing-outcome-possible = مطابقة محتملة غير مؤكدة
tracing-outcome-confirmed-alive = تأكد أنه على قيد الحياة
tracing-outcome-confirmed-dead = تأكدت الوفاة
tracing-outcome-remains-identified = تم التعرف على الرفات
tracing-outcome-date = تاريخ النتيجة
tracing-matched = السجل الذي تستند إليه
tracing-matched-none = لا شيء
tracing-note = ملاحظة (مختومة)
tracing-outcome-hint = المطابقة المحتملة والوفاة المؤكدة والتعرف على الرفات تحدد السجل الذي تستند إليه؛ والنتيجة المؤكدة تتطلب تأكيد المطابقة أولاً. وتُسجَّل الوفاة المؤكدة حالةً للشخص.
tracing-outcome-save = سجّل النتيجة
tracing-outcome-saved = سُجّلت النتيجة.
tracing-letter-ar = رسالة إلى العائلة (بالعربية، PDF)
tracing-letter-en = رسالة إلى العائلة (بالإنجليزية، PDF)
tracing-candidates = المطابقات المرشحة
tracing-compared = { $form ->
    [zero] لم يُقارَن بأي سجل.
    [one] قورن بسجل شخص واحد لدى المنظمة، بكل صيغ كتابة الاسم بالحرفين.
    [two] قورن بسجلَّي شخصين لدى المنظمة، بكل صيغ كتابة الاسم بالحرفين.
    [few] قورن بـ { $n } سجلات أشخاص لدى المنظمة، بكل صيغ كتابة الاسم بالحرفين.
    [many] قورن بـ { $n } سجلاً لأشخاص لدى المنظمة، بكل صيغ كتابة الاسم بالحرفين.
   *[other] قورن بـ { $n } سجل أشخاص لدى المنظمة، بكل صيغ كتابة الاسم بالحرفين.
}
tracing-model-run = قيّمها نموذج جولة الربط رقم { $run }.
tracing-model-now = قيّمها نموذج تعلّم الآن من هذه السجلات (لم تُجرَ جولة ربط بعد).
tracing-withheld = لم توافق العائلة على البحث في السجلات: لم يُقارَن شيء.
tracing-nothing-compared = تعذرت المقارنة: ليس للشخص اسم، أو السجلات قليلة جداً.
tracing-no-candidates = لا يوجد سجل قريب بما يكفي ليكون مرشحاً.
tracing-probability = احتمال أن يكون الشخص نفسه: { $p }٪
tracing-in = في
tracing-for = ما يؤيد المطابقة
tracing-against = ما يعارضها
tracing-not-compared = لم يُقارَن (ناقص في أحد الطرفين)
tracing-died-before-seen = { $event } مسجّل بتاريخ { $date }، قبل آخر مرة شوهد فيها الشخص
tracing-decided-same = مؤكَّد: الشخص نفسه.
tracing-decided-different = تقرّر: ليس الشخص نفسه.
tracing-confirm = الشخص نفسه
tracing-reject = ليس الشخص نفسه
tracing-decided = سُجّل القرار.
tracing-steps = الخطوات المتخذة
tracing-steps-none = لم تُسجَّل أي خطوة بعد.
tracing-step-add = سجّل خطوة
tracing-step-narrative = ما سُئل عنه، وأين، وما كان الجواب
tracing-step-save = سجّل الخطوة
tracing-step-saved = سُجّلت الخطوة.
link-field-given-name = الاسم الأول
link-field-father-name = اسم الأب
link-field-grandfather-name = اسم الجد
link-field-family-name = الكنية
link-field-mother-name = اسم الأم
link-field-birth-date = تاريخ الميلاد
link-field-birthplace = مكان الولادة
link-field-residence = مكان الإقامة
link-field-sex = الجنس
link-field-email = البريد الإلكتروني
link-field-phone = الهاتف
link-field-identifier = وثيقة الهوية
link-field-address = العنوان
link-field-postcode = الرمز البريدي
link-level-exact = متطابق
link-level-variant = الاسم نفسه بكتابة أخرى
link-level-reordered = الأسماء نفسها بترتيب آخر
link-level-close = متقارب
link-level-near = متشابه بعض الشيء
link-level-different = مختلف
link-level-typo = يختلف بحرف واحد
link-level-within-month = في حدود شهر
link-level-compatible = متوافق (أحدهما أقل دقة)
link-level-within-year = في حدود سنة
link-level-within-5-years = في حدود خمس سنوات
link-level-same = متطابق
link-level-same-district = المنطقة نفسها
link-level-same-governorate = المحافظة نفسها
