// Where the bundled demo model lies: models/ beside the package's scripts, found from their own URL.
import { demoModelUrl } from 'alexnet-web:demo-model-url';

/** The bundled demo model (Fashion-MNIST, see models/README.md), used when no weights are given. */
export const DEMO_MODEL_URL: URL = demoModelUrl;
