// The paging hook lives in components/paged.tsx; this path stays only for settings' blocks and
// mutes list (another branch), which imports it from here. Import from components/paged.
export { usePaged } from '../../components/paged';
