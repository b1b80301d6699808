import { ConfigError, loadConfig, loadSettings, type Settings } from '../../app/config.js';
import type { FeedPacing, FeedSettings } from '../../projections/feed/feed-options.js';

/**
 * The settings an empty environment gives (every default of app/config.ts): what tests that build
 * the platform, the replay CLI or a projection of their own start from, so no default is restated.
 */
export const defaultSettings = (): Settings => loadSettings({}, []);

/** The master key of the personal data keys the test app and the replay CLI it is rebuilt with share (PERSONAL_DATA_KEY). */
export const TEST_PERSONAL_DATA_KEY = 'test-personal-data-key-of-at-least-32-bytes';

/**
 * The hosts whose media URLs the tests' posts and stories carry (MEDIA_EXTERNAL_HOSTS): tests about
 * anything but media post external URLs, as posts made before uploads did.
 */
export const TEST_MEDIA_EXTERNAL_HOSTS: readonly string[] = ['cdn.example.com', 'a.b'];

/** The feed projection's settings by default, with a test's own. */
export const feedSettings = (given: Partial<FeedSettings & FeedPacing> = {}): FeedSettings & Partial<FeedPacing> => ({
  ...defaultSettings().feed,
  ...given,
});

/** The problems app/config.ts reports for `env` (none when it loads). */
export const configProblems = (env: Record<string, string>, argv: string[] = []): readonly string[] => {
  try {
    loadConfig(env, argv);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};
