//! Text folding for look-ups: the same word typed in different ways compares equal.
//!
//! Arabic: strips diacritics (tashkeel) and tatweel, unifies alef forms (أ إ آ ٱ → ا),
//! ى → ي, ة → ه, hamza seats (ؤ → و, ئ → ي), and Persian letter forms. Latin: lower case,
//! common diacritics removed (ā → a, ḩ → h), punctuation and hyphens to spaces. Used for
//! vocabulary and gazetteer look-ups; record linkage builds its own comparisons on top.

/// Fold a label for matching: see the module documentation.
pub fn fold(input: &str) -> String {
    // Compatibility decomposition first, so a letter typed as a base and a combining mark
    // ("a" + U+0304) folds as its precomposed form ("ā") does, and presentation forms
    // (ﻻ, ﷲ) as the letters they stand for. Most names are already decomposed: skip it.
    let decomposed: std::borrow::Cow<'_, str> = if is_nfkd_quick(input.chars()) == IsNormalized::Yes
    {
        std::borrow::Cow::Borrowed(input)
    } else {
        std::borrow::Cow::Owned(input.nfkd().collect())
    };
    let mut out = String::with_capacity(decomposed.len());
    let mut last_space = true;
    for c in decomposed.chars() {
        let mapped: Option<char> = match c {
            // Arabic diacritics (with the hamza and madda a decomposition leaves), Quranic
            // marks, tatweel, superscript alef: dropped.
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | '\u{06D6}'..='\u{06ED}' => None,
            // Combining marks of Latin letters (accents, cedillas, dots below): dropped.
            '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}' => None,
            'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
            'ى' | 'ی' | 'ئ' => Some('ي'),
            'ة' => Some('ه'),
            'ؤ' => Some('و'),
            'ء' => None,
            'ک' => Some('ك'),
            'گ' => Some('ك'),
            'پ' => Some('ب'),
            'چ' => Some('ج'),
            'ڤ' => Some('ف'),
            'à' | 'á' | 'â' | 'ä' | 'ā' | 'ã' | 'å' => Some('a'),
            'è' | 'é' | 'ê' | 'ë' | 'ē' => Some('e'),
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => Some('i'),
            'ò' | 'ó' | 'ô' | 'ö' | 'ō' => Some('o'),
            'ù' | 'ú' | 'û' | 'ü' | 'ū' => Some('u'),
            'ç' => Some('c'),
            'ş' | 'ṣ' => Some('s'),
            'ğ' => Some('g'),
            'ḩ' | 'ḥ' => Some('h'),
            'ḍ' => Some('d'),
            'ṭ' => Some('t'),
            'ẓ' => Some('z'),
            '\'' | '’' | '‘' | 'ʿ' | 'ʾ' | '`' => None,
            c if c.is_alphanumeric() => Some(c),
            _ => Some(' '),
        };
        match mapped {
            Some(' ') => {
                if !last_space {
                    out.push(' ');
                }
                last_space = true;
            }
            Some(m) => {
                out.extend(m.to_lowercase());
                last_space = false;
            }
            None => {}
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkd_quick};

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn arabic_spellings_fold_together() {
        assert_eq!(fold("إدلب"), fold("ادلب"));
        assert_eq!(fold("حماة"), fold("حماه"));
        assert_eq!(fold("مُحَمَّد"), "محمد");
        assert_eq!(fold("مـــحمد"), "محمد");
        assert_eq!(fold("مصطفى"), fold("مصطفي"));
    }

    #[test]
    fn latin_spellings_fold_together() {
        assert_eq!(fold("Nāḩiyat Dimashq"), "nahiyat dimashq");
        assert_eq!(fold("Al-Hasakah"), "al hasakah");
        assert_eq!(fold("  Dar'a  "), "dara");
        assert_eq!(fold("Türkiye"), "turkiye");
    }

    #[test]
    fn decomposed_letters_fold_as_their_precomposed_forms() {
        // "ā", "š", "ñ", "ḩ" typed as a base letter and a combining mark.
        assert_eq!(fold("Na\u{0304}h\u{0327}iyat"), fold("Nāḩiyat"));
        assert_eq!(fold("Abba\u{0304}s"), "abbas");
        assert_eq!(fold("S\u{030C}ukri\u{0304}"), "sukri");
        assert_eq!(fold("Nun\u{0303}ez"), "nunez");
        // Arabic with its hamza as a combining mark, and a presentation-form ligature.
        assert_eq!(fold("\u{0627}\u{0654}حمد"), fold("أحمد"));
        assert_eq!(fold("\u{FEFB}"), "لا");
    }
}
