export { gate } from '../../../test/support/gate.js';
