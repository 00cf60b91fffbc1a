/** The compiler names peer and named-port groups with the same hash the renderers use for names. */
export { hash16 } from '../../../policy/hash.js';
