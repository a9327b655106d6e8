// The privacy page (/privacy, linked from every page's footer and from the consent): static words
// from i18n.ts in the page's language, with the same language toggle as the parents' page.
import './styles.css';
import { $ } from './dom';
import { setupLanguageToggle } from './i18n';

setupLanguageToggle($<HTMLButtonElement>('#lang-toggle'));
