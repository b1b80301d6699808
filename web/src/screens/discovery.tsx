import type { Route } from '../router';
import { CollectionScreen, SavedScreen } from './collections';
import { ExploreScreen } from './explore';
import { HashtagScreen } from './hashtag';
import { PlaceScreen } from './place';
import { SearchScreen } from './search';
import './discovery.css';

/** The discovery and collection screens (search, hashtag and place pages, explore, saved), by route; null for any other route. */
export const DiscoveryScreen = ({ route }: { route: Route }) => {
  switch (route.name) {
    case 'search':
      return <SearchScreen />;
    case 'hashtag':
      return <HashtagScreen key={route.tag} tag={route.tag} />;
    case 'place':
      return <PlaceScreen key={route.placeId} placeId={route.placeId} />;
    case 'explore':
      return <ExploreScreen />;
    case 'saved':
      return <SavedScreen />;
    case 'collection':
      return <CollectionScreen key={route.collectionId} collectionId={route.collectionId} />;
    default:
      return null;
  }
};
