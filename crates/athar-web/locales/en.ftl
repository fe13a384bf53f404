# The words of Athar's web pages in English. Each message has its Arabic twin in ar.ftl
# (a test checks). A counted message chooses its form by $form, the CLDR plural category
# of the number $n (one, other; Arabic also zero, two, few, many), which the program
# computes with ICU4X's plural rules.

app-name = Athar
app-tagline = Documenting what happens to people: return, arrest, detention, disappearance, fate
skip-to-content = Skip to the content
nav-persons = Persons
nav-sign-out = Sign out
nav-signed-in-as = Signed in as { $name }
lang-other = العربية
lang-other-code = ar
demo-banner = Demonstration data: every person here is invented.

sign-in-title = Sign in
sign-in-username = Account name
sign-in-password = Password
sign-in-code = One-time code
sign-in-code-hint = Administrators: the six digits from your authenticator app.
sign-in-button = Sign in
signed-out = You are signed out.
session-ended = Your session ended. Sign in again to go on.

persons-title = Persons
persons-search-label = Name, in Arabic or Latin letters, any spelling
persons-search-button = Search
persons-all = { $form ->
    [one] One person
   *[other] { $n } persons
}
persons-found-none = No person found by that name
persons-found = { $form ->
    [one] One person found, closest first
   *[other] { $n } persons found, closest first
}
persons-none = No persons recorded yet.
persons-next = Next page
persons-first = First page
col-name = Name
col-name-other-script = In the other script
col-born = Born
col-match = Match
closeness-same-spelling = same spelling
closeness-same-sound = other spelling
closeness-same-skeleton = similar
unidentified = Unidentified

person-title = Person
person-names = Names
person-script-arab = Arabic script
person-script-latn = Latin script
person-given = Given name
person-father = Father's name
person-grandfather = Grandfather's name
person-family = Family name
person-mother = Mother's name
person-born = Born
person-sex = Sex
sex-male = male
sex-female = female
sex-unknown = not recorded
person-status = Status now
person-journey = Journey
person-journey-none = No event is recorded for this person.
person-steps = { $form ->
    [one] One event
   *[other] { $n } events
}
step-when = When
step-what = What
step-where = Where
step-who = By
back-to-persons = Back to the persons

date-unknown = date unknown
date-approx = { $date }, approx.
date-between = between { $from } and { $to }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

not-found-title = Not found
not-found-text = There is no such page, or it is not yours to see.
error-title = Something went wrong
error-text = The server could not answer. Nothing was changed.
