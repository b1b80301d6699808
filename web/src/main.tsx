import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api/client';
import { NotificationsLink } from './components/notifications-link';
import { PlusIcon } from './components/icons';
import { ErrorMessage } from './components/status';
import { navigate, onLinkClick, useRoute } from './router';
import { HomeScreen } from './screens/home';
import { LoginScreen, RegisterScreen } from './screens/auth';
import { NotificationsScreen } from './screens/notifications';
import { PostScreen } from './screens/post';
import { DiscoveryScreen } from './screens/discovery';
import { SettingsScreen } from './screens/settings';
import { ProfileScreen } from './screens/profile/profile';
import { RequestsScreen } from './screens/profile/requests';
import { ComposerScreen } from './screens/composer';
import { clearSession, useSession } from './session';
import './styles.css';

// The web client's shell (docs/architecture.md "Web client"): the header, the route's screen, and
// the guard that sends a signed-out reader to the login screen (and a signed-in one away from it).

/** A link of the main navigation, marked as the current page (for screen readers and the eye) on its own screen. */
const NavLink = ({ href, here, children }: { href: string; here: boolean; children: string }) => (
  <a href={href} aria-current={here ? 'page' : undefined}>
    {children}
  </a>
);

const Header = ({ username }: { username: string }) => {
  const route = useRoute();
  const [error, setError] = useState<unknown>(null);
  const logout = async () => {
    setError(null);
    try {
      await api.post('/api/v1/auth/logout');
    } catch (failure) {
      // An ended session is as good as logged out; anything else is shown, and the tokens dropped anyway.
      setError(failure);
    }
    clearSession();
    navigate('/login', { replace: true });
  };
  return (
    <header class="top">
      <a href="/" class="brand">
        instagram-es
      </a>
      <span class="me">
        <span class="visually-hidden">Signed in as </span>@{username}
      </span>
      <button type="button" onClick={logout}>
        Log out
      </button>
      {error !== null && <ErrorMessage error={error} />}
      <nav aria-label="Main">
        <NavLink href="/" here={route.name === 'home'}>
          Home
        </NavLink>
        <NavLink href="/search" here={route.name === 'search'}>
          Search
        </NavLink>
        <NavLink href="/explore" here={route.name === 'explore'}>
          Explore
        </NavLink>
        <a href="/new" class="nav-new" aria-label="New post" title="New post" aria-current={route.name === 'composer' ? 'page' : undefined}>
          <PlusIcon />
        </a>
        <NotificationsLink />
        <NavLink href="/saved" here={route.name === 'saved' || route.name === 'collection'}>
          Saved
        </NavLink>
        <NavLink href={`/u/${username}`} here={route.name === 'profile' && route.username === username}>
          Profile
        </NavLink>
        <NavLink href="/settings" here={route.name === 'settings'}>
          Settings
        </NavLink>
      </nav>
    </header>
  );
};

const App = () => {
  const route = useRoute();
  const session = useSession();
  const guest = route.name === 'login' || route.name === 'register';
  useEffect(() => {
    if (!session && !guest) navigate('/login', { replace: true });
    else if (session && guest) navigate('/', { replace: true });
  }, [session, guest]);
  if (!session) return guest ? route.name === 'login' ? <LoginScreen /> : <RegisterScreen /> : null;
  return (
    <>
      <Header username={session.username} />
      {route.name === 'home' && <HomeScreen />}
      {route.name === 'post' && <PostScreen key={route.postId} postId={route.postId} />}
      <DiscoveryScreen route={route} />
      {route.name === 'notifications' && <NotificationsScreen />}
      {route.name === 'settings' && <SettingsScreen />}
      {route.name === 'profile' && <ProfileScreen key={route.username} username={route.username} view={route.view} />}
      {route.name === 'requests' && <RequestsScreen />}
      {route.name === 'composer' && <ComposerScreen />}
      {route.name === 'not-found' && (
        <main>
          <h1>Page not found</h1>
          <p>
            <a href="/">Back to your feed</a>
          </p>
        </main>
      )}
    </>
  );
};

document.addEventListener('click', onLinkClick);
render(<App />, document.getElementById('app')!);
