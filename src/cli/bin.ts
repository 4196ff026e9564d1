// Entry of the `alexnet-web` command.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
