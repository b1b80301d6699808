import { useUnreadCount } from '../live';
import { useRoute } from '../router';
import './notifications-link.css';

/** The header's link to the notifications, with the live unread count in its badge and in its accessible name. */
export const NotificationsLink = () => {
  const count = useUnreadCount();
  const here = useRoute().name === 'notifications';
  const unread = count ?? 0;
  return (
    // The count is said in words by hidden text, not by an aria-label: a label that does not
    // contain the visible text ("Notifications 3") is a WCAG 2.5.3 failure.
    <a href="/notifications" class="notifications-link" aria-current={here ? 'page' : undefined}>
      <span>
        Notifications
        {unread > 0 && <span class="visually-hidden"> ({unread} unread)</span>}
      </span>
      {unread > 0 && (
        <span class="badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </a>
  );
};
