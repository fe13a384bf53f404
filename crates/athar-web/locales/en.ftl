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
col-status = Status
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

nav-new-case = New case
nav-drafts = My drafts

intake-title = New case
intake-intro = Type what is known and leave the rest empty: every field is kept exactly as typed, saved to the server as you go, and seen by no one else until you submit the case.
intake-person = The person
intake-birthplace = Place of birth
intake-date-hint = As precise as is known: 2019, 03/2019, March 2019, 12/03/2019, ~2019 (approximately), 2018/2019 (one or the other), or empty.
intake-place-hint = Start typing a governorate, district or sub-district and pick it from the list, or describe the place as the source does.
intake-journey-hint = One event per box, in the order they happened: return, arrest, detention, transfer, disappearance, fate.
intake-event-number = Event { $n }
intake-event-kind = What happened
intake-event-date = Date
intake-event-end = Until (for a detention)
intake-event-place = Place
intake-event-facility = Detention facility
intake-event-unit = Unit held responsible
intake-event-host-country = Returned from (country)
intake-event-narrative = What happened, as told
intake-add-event = Add an event
intake-remove-event = Remove event { $n }
intake-source = Source
intake-source-kind = Kind of source
intake-source-title = Source (who told it, where, or which document)
intake-source-date = Date of the source
intake-source-reliability = Reliability of the source
intake-field = Field
intake-choose = — choose —
reliability-a = A — completely reliable
reliability-b = B — usually reliable
reliability-c = C — fairly reliable
reliability-d = D — not usually reliable
reliability-e = E — unreliable
reliability-f = F — cannot be judged
intake-submit = Submit the case
intake-save = Save the draft
intake-discard = Delete the draft
intake-problems = { $form ->
    [one] One thing stops the case; nothing was written
   *[other] { $n } things stop the case; nothing was written
}
intake-saved = The draft is saved.
intake-event-added = An event was added at the end of the journey.
intake-event-removed = The event was removed from the draft.
intake-conflict-title = This draft was saved from another window
intake-conflict-text = Nothing was overwritten. Below is what differs; what you typed is in the form. Save the draft to keep your version, or open the draft again to take the other.
intake-conflict-saved = Saved elsewhere
intake-conflict-yours = Typed here
intake-state-server = Saved on the server when you save the draft.
intake-state-saved = All you typed is saved on the server.
intake-state-unsaved = Not saved yet…
intake-state-offline = Not saved: the connection is lost. What you typed stays on this page and is saved as soon as the connection is back; do not close the page.
intake-state-signed-out = Not saved: your session ended. Sign in again in another tab; what you typed stays on this page and is saved once you are back.
intake-state-conflict = Not saved: this draft was saved from another window. Press “Save the draft” to compare.
intake-state-failed = Not saved: the server refused. What you typed stays on this page; press “Save the draft” to see why.
case-written = The case is recorded.
draft-discarded = The draft was deleted.

drafts-title = My drafts
drafts-intro = Cases you started and have not submitted, from any computer. No one else sees them.
drafts-none = You have no drafts.
drafts-count = { $form ->
    [one] One draft
   *[other] { $n } drafts
}
drafts-col-name = Name typed
drafts-col-events = Events
drafts-col-saved = Last saved
drafts-no-name = (no name yet)
drafts-resume = Resume
drafts-new = Start a new case
intake-gone = This draft was submitted or deleted in another window. What you typed here is kept in this form as a new draft: save it to keep it.
intake-stale-form = This form was opened before you last signed in, so nothing was saved. What you typed is here: press “Save the draft” again to keep it.

person-sources = Sources
person-sources-none = No source is cited.
person-consent = Consent
person-consent-none = No consent decision is recorded.
consent-purpose = For
consent-answer = Answer
consent-date = When
consent-by = Given by
consent-given = given
consent-refused = refused
consent-withdrawn = withdrawn
person-sharing = Shared with
person-sharing-none = Not shared with any other organisation.
share-line = { $org }: { $mode }
share-full = in full
share-pseudonymised = without identifying details
share-aggregate = in coalition counts only
person-history = History of this record
revision-number = Revision { $n }
revision-create = created
revision-update = changed
revision-delete = deleted
revision-shred = identifying details destroyed
revision-before = Before
revision-after = After

filter-title = Filters
filter-any = any
filter-status = Status now
filter-kind = An event of the kind
filter-governorate = In the governorate
filter-verification = Verified at least as
filter-from = Events from
filter-to = Events until
filter-hint = A person is listed when their status is the one chosen and one event of their journey meets all the other choices at once (a date that may fall in the period counts). Linked records of one person are listed once.
filter-apply = Apply the filters
filter-clear = Clear the filters
filter-invalid = This choice is not one of the list.
filter-invalid-date = The date is not understood: write it as 2019, 03/2019 or 12/03/2019.
verification-alleged = alleged (one source)
verification-corroborated = corroborated
verification-verified = verified
persons-filtered = { $form ->
    [one] One person meets the filters
   *[other] { $n } persons meet the filters
}
filter-fix = Nobody is listed until the filter marked above is corrected.

nav-review = To verify
review-title = Review
review-none = Not submitted for verification.
review-submitted = Submitted by { $name }; waiting for another person to verify it.
review-verified = Verified by { $name } (recorded by { $author }).
review-returned = Returned by { $name } to be corrected.
review-comment = Why
review-own-case = You submitted this case: another person verifies it.
review-submit = Submit for verification
review-verify = Verify this case
review-return-label = Or return it to its author, saying why
review-return = Return with this comment
review-step-submitted = The case is submitted for verification.
review-step-verified = The case is verified.
review-step-returned = The case is returned to its author.
review-queue-title = Cases to verify
review-queue-intro = Cases submitted by their authors and waiting for a second person. You cannot verify your own.
review-queue-none = No case is waiting for verification.
review-queue-count = { $form ->
    [one] One case waits
   *[other] { $n } cases wait
}
review-col-by = Submitted by
refused-title = Not done
refused-back = Back
filter-cases = Cases
filter-cases-verified = verified by a second person

person-evidence = Evidence
person-evidence-none = No evidence is kept about this person.
evidence-name = File
evidence-unnamed = (unnamed file)
evidence-kind = Kind
evidence-kind-original = original
evidence-kind-redacted = redacted copy
evidence-kind-transcript = transcript
evidence-kind-translation = translation
evidence-size-col = Size
evidence-size = { $kb } KB
evidence-added = Added
evidence-add = Add evidence
evidence-description = How and from whom it was obtained
evidence-file = File
evidence-hint = The file is sealed as it arrives, its SHA-256 recorded in the audit chain; every look and download is entered in its chain of custody.
evidence-upload = Upload
evidence-uploaded = The evidence is kept; its SHA-256 is shown below.
evidence-back = Back to the person
evidence-download = Download the original
evidence-download-hint = The download is entered in the chain of custody; the file is checked against its SHA-256 as it is read.
evidence-custody = Chain of custody
custody-evidence-ingest = taken in
custody-evidence-view = looked at
custody-evidence-download = downloaded
custody-evidence-export = exported in a package
custody-evidence-transfer = transferred
evidence-no-file = Choose a file to upload; nothing was kept.
evidence-broken = The upload did not arrive whole; nothing was kept. Try again.
digits-arabic-title = Write numbers with Arabic-Indic digits
digits-western-title = Write numbers with Western digits

person-status-why = Why
status-why-no-events = No event records them as a victim.
status-why-death = { $event } is recorded ({ $date }); a death is final whatever follows.
status-why-never-deprived = Events are recorded, none depriving them of liberty.
status-why-released = The last event bearing on their liberty: { $event } ({ $date }).
status-why-disappearance = The last event bearing on their liberty: { $event } ({ $date }).
status-why-held-at-facility = Held: the last event of the custody, { $event } ({ $date }), names the place.
status-why-held-place-unknown = Held by { $by } since { $event } ({ $date }); the place has not been acknowledged.
status-why-held-by-unknown = Deprived of liberty ({ $event }, { $date }) by a party not recorded, the place unknown.
status-why-stated = No event decides; a source stated it ({ $date }).

edit-title = Edit the person
edit-link = Edit the details
edit-hint = Saving writes a new revision; the earlier ones stay in the history. A verified case goes back to its reviewers once changed.
edit-save = Save the changes
edit-saved = The changes are saved as a new revision.
edit-problems = { $form ->
    [one] One thing stops the change; nothing was written
   *[other] { $n } things stop the change; nothing was written
}
edit-conflict-title = Someone saved this record while you were editing it
edit-conflict-text = Nothing was overwritten. Below is what differs between the record as saved now and what you typed (still in the form). Save again to write yours over it.
edit-conflict-saved = Saved now
evidence-sending = Sending… {"{"}percent{"}"} %

nav-report = Missing-person report
nav-reports = Reports of missing persons
report-title = A family reports a missing person
report-intro = What the family knows, in their words; the rest left empty. The contact they give is sealed and seen only by your organisation. The person is then searched for in the registers.
report-missing = The missing person
report-last-seen = When and where they were last seen
report-last-seen-date = Last seen on
report-last-seen-place = Last seen at
report-circumstances = How they went missing, as the family tells it
report-family = The family
report-relative = Who reports (name)
report-relation = Relation to the missing person
report-contact = How to reach the family
report-contact-hint = Phone or address; sealed.
report-date = Date of the report
report-consent-search = Consent to search the records and tell the family what is found
report-consent-contact = Consent to be contacted at this contact
report-consent-given = given
report-consent-refused = refused
report-file = Record the report
report-filed = The report is recorded; the person can now be searched for.
report-problems = { $form ->
    [one] One thing stops the report; nothing was written
   *[other] { $n } things stop the report; nothing was written
}
status-why-last-seen = Last seen: { $event } ({ $date }); nothing known since.
tracing-title = Search for { $name }
tracing-to-person = ← The person's record
matches-title = Records that may be the same person
matches-none = No linkage run paired this record with another, and no one has decided about it.
matches-no-run = Records have not been linked yet: no run has compared this record with the others.
matches-col-probability = Match
matches-col-state = Now
matches-col-decide = Decide
match-together = Counted as one person
match-apart = Counted as two persons
matches-search-all = Compare with every record now (the family's search)
tracing-link = The family's search: candidate matches, steps, outcome, letter
tracing-problems = { $form ->
    [one] One thing stops it; nothing was written
   *[other] { $n } things stop it; nothing was written
}
tracing-outcome-title = What the search has come to
tracing-outcome-none = No outcome recorded yet.
tracing-outcome = Outcome
tracing-outcome-no-match-yet = No match yet
tracing-outcome-possible = Possible match, not confirmed
tracing-outcome-confirmed-alive = Confirmed alive
tracing-outcome-confirmed-dead = Confirmed dead
tracing-outcome-remains-identified = Remains identified
tracing-outcome-date = Date of the outcome
tracing-matched = The record it rests on
tracing-matched-none = None
tracing-note = Note (sealed)
tracing-outcome-hint = A possible match, a confirmed death and identified remains name the record they rest on; a confirmed outcome needs the match confirmed first. A confirmed death is recorded as the person's status.
tracing-outcome-save = Record the outcome
tracing-outcome-saved = The outcome is recorded.
tracing-letter-ar = Letter to the family (Arabic, PDF)
tracing-letter-en = Letter to the family (English, PDF)
tracing-candidates = Candidate matches
tracing-compared = { $form ->
    [one] Compared with { $n } person record the organisation holds, every spelling in both scripts.
   *[other] Compared with { $n } person records the organisation holds, every spelling in both scripts.
}
tracing-model-run = Scored by the model of linkage run { $run }.
tracing-model-now = Scored by a model learnt now from these records (no linkage run yet).
tracing-withheld = The family did not consent to searching the records: nothing was compared.
tracing-nothing-compared = Nothing could be compared: the person has no name, or there are too few records.
tracing-no-candidates = No record is close enough to be a candidate.
tracing-probability = { $p }% likely the same person
tracing-in = In
tracing-for = Evidence for
tracing-against = Evidence against
tracing-not-compared = Not compared (missing on one side)
tracing-died-before-seen = { $event } recorded on { $date }, before the person was last seen
tracing-decided-same = Confirmed: the same person.
tracing-decided-different = Decided: not the same person.
tracing-confirm = The same person
tracing-reject = Not the same person
tracing-decided = The decision is recorded.
tracing-steps = Steps taken
tracing-steps-none = No step recorded yet.
tracing-step-add = Record a step
tracing-step-narrative = What was asked, where, and the answer
tracing-step-save = Record the step
tracing-step-saved = The step is recorded.
link-field-given-name = Given name
link-field-father-name = Father's name
link-field-grandfather-name = Grandfather's name
link-field-family-name = Family name
link-field-mother-name = Mother's name
link-field-birth-date = Date of birth
link-field-birthplace = Place of birth
link-field-residence = Residence
link-field-sex = Sex
link-field-email = Email
link-field-phone = Phone
link-field-identifier = Identity document
link-field-address = Address
link-field-postcode = Postcode
link-level-exact = the same
link-level-variant = the same name, spelt another way
link-level-reordered = the same names in another order
link-level-close = close
link-level-near = somewhat alike
link-level-different = different
link-level-typo = one character apart
link-level-within-month = within a month
link-level-compatible = compatible (one is less precise)
link-level-within-year = within a year
link-level-within-5-years = within five years
link-level-same = the same
link-level-same-district = the same district
link-level-same-governorate = the same governorate
