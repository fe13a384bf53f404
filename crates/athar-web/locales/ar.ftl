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
