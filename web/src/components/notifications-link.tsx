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
      {unread > 0 && (
        <span class="badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </a>
  );
};
