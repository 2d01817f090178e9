import type { Endpoint } from '../../shared/api';
import type { Handler } from '../http/mount';
import type { Services } from '../services';

export interface RouteDeps {
  /** Mounts an endpoint of the shared contract with its handler (authenticated and validated). */
  route: <E extends Endpoint>(endpoint: E, handler: Handler<E>) => void;
  services: Services;
}
