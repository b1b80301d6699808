import { useUnreadCount } from '../live';
import { useRoute } from '../router';
import './notifications-link.css';

/** The header's link to the notifications, with the live unread count in its badge and in its accessible name. */
export const NotificationsLink = () => {
  const count = useUnreadCount();
  const here = useRoute().name === 'notifications';
  const unread = count ?? 0;
  return (
    <a href="/notifications" class="notifications-link" aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'} aria-current={here ? 'page' : undefined}>
      Notifications
      {/* A space between the word and the count: axe reads "Notifications1" as one word not in the name (WCAG 2.5.3). */}
      {unread > 0 && ' '}
      {unread > 0 && (
        <span class="badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </a>
  );
};
