//! Text folding for look-ups: the same word typed in different ways compares equal.
//!
//! Arabic: strips diacritics (tashkeel) and tatweel, unifies alef forms (أ إ آ ٱ → ا),
//! ى → ي, ة → ه, hamza seats (ؤ → و, ئ → ي), and Persian letter forms. Latin: lower case,
//! common diacritics removed (ā → a, ḩ → h), punctuation and hyphens to spaces. Used for
//! vocabulary and gazetteer look-ups; record linkage builds its own comparisons on top.

/// Whether a character is an Arabic-script letter (not a diacritic, a tatweel or a digit).
fn is_arabic_letter(c: char) -> bool {
    matches!(c,
        '\u{0620}'..='\u{063F}' | '\u{0641}'..='\u{064A}' | '\u{066E}'..='\u{066F}'
        | '\u{0671}'..='\u{06D3}' | '\u{06D5}' | '\u{06EE}'..='\u{06EF}'
        | '\u{06FA}'..='\u{06FC}' | '\u{06FF}' | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08C9}' | '\u{FB50}'..='\u{FDFB}' | '\u{FE70}'..='\u{FEFC}')
}

/// Whether a text is written in Arabic script: it has Arabic letters, at least one for
/// every three Latin ones. A stray Arabic diacritic or mark in a transliteration
/// ("Mohammad\u{064E} al-Ahmad") is no letter and does not make it Arabic, nor does one
/// stray Arabic letter in a long Latin name; Latin letters in an Arabic name ("فرع 235 B")
/// leave it Arabic.
pub fn is_arabic_script(text: &str) -> bool {
    let (mut arabic, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if is_arabic_letter(c) {
            arabic += 1;
        } else if c.is_alphabetic()
            && (c.is_ascii()
                || ('\u{00C0}'..='\u{024F}').contains(&c)
                || ('\u{1E00}'..='\u{1EFF}').contains(&c))
        {
            latin += 1;
        }
    }
    arabic > 0 && arabic * 3 >= latin
}

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
    use super::{fold, is_arabic_script};

    #[test]
    fn a_names_script_is_that_of_most_of_its_letters() {
        assert!(is_arabic_script("محمد الأحمد"));
        assert!(is_arabic_script("مُحَمَّد"));
        assert!(!is_arabic_script("Mohammad al-Ahmad"));
        // A stray fatha or shadda pasted into a transliteration leaves it Latin.
        assert!(!is_arabic_script("Mohammad\u{064E} al-Ahmad"));
        assert!(!is_arabic_script("Sami\u{0651}r"));
        assert!(!is_arabic_script("Şükrü Öztürk"));
        // One Latin letter in an Arabic name leaves it Arabic.
        assert!(is_arabic_script("فرع 235 B"));
        assert!(!is_arabic_script("12/05/2019"));
        assert!(is_arabic_script("=عمر|' /C calc'!A0"));
        assert!(!is_arabic_script("Mohammad Ahmad ع"));
    }

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
