//! A reference to a place: a gazetteer entry, a detention facility, free text, or several.
//!
//! Documenters often know only "a checkpoint near Homs": the text is kept as said and the
//! gazetteer code, when known, lets statistics count by governorate and district.

use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, Problems};
use crate::vocab::Vocabularies;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceRef {
    /// OCHA P-code of a governorate, district or sub-district (e.g. `SY0100`), or the id of
    /// a place outside Syria from the host-countries vocabulary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcode: Option<String>,
    /// A detention facility from the facilities vocabulary (e.g. `sednaya-prison`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<String>,
    /// The place as the source describes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl PlaceRef {
    pub fn is_empty(&self) -> bool {
        self.pcode.is_none()
            && self.facility.is_none()
            && self.text.as_deref().is_none_or(|t| t.trim().is_empty())
    }

    /// The P-code this place falls in: its own, or its facility's.
    pub fn effective_pcode<'a>(&'a self, vocab: &'a Vocabularies) -> Option<&'a str> {
        self.pcode.as_deref().or_else(|| {
            self.facility
                .as_deref()
                .and_then(|f| vocab.facilities.get(f))
                .and_then(|t| t.pcode.as_deref())
        })
    }

    pub fn validate(&self, field: &str, vocab: &Vocabularies, p: &mut Problems) {
        if let Some(code) = &self.pcode
            && vocab.gazetteer.get(code).is_none()
            && vocab.host_countries.get(code).is_none()
        {
            p.push(FieldError::new(
                format!("{field}.pcode"),
                "place.unknown_pcode",
                "not a P-code of the Syrian gazetteer nor a known country",
                "ليس رمزاً في دليل الأماكن السوري ولا بلداً معروفاً",
            ));
        }
        if let Some(f) = &self.facility
            && vocab.facilities.get(f).is_none()
        {
            p.push(FieldError::unknown_term(
                format!("{field}.facility"),
                "facilities",
            ));
        }
        p.text(
            &format!("{field}.text"),
            &self.text,
            crate::person::MAX_NAME_CHARS * 5,
        );
    }
}
