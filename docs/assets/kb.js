/* Project scripts (quiz, glossary hover) are added by the site-features issue. */
