// The privacy page (/privacy, linked from every page's footer and from the consent): words from
// i18n.ts in the page's language, with the same language toggle as the parents' page; the
// retention periods are the server's configured ones (GET /api/privacy).
import './styles.css';
import { $ } from './dom';
import { setupLanguageToggle } from './i18n';
import { txRetention } from './retention';

setupLanguageToggle($<HTMLButtonElement>('#lang-toggle'));
txRetention($<HTMLElement>('#privacy-how-long'), 'privacy.howLong');
