import { useState } from 'preact/hooks';
import './flash.css';

// A message for the next screen shown (e.g. the login screen after the account was deleted): kept
// in sessionStorage so that it survives the redirect, shown once.

const KEY = 'instagram-es.flash';

export const setFlash = (text: string) => sessionStorage.setItem(KEY, text);

export const Flash = () => {
  const [text] = useState(() => {
    const pending = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    return pending;
  });
  return text ? (
    <p class="flash" role="status">
      {text}
    </p>
  ) : null;
};
