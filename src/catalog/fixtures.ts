/**
 * Where each FixtureRef of the sample requests lives, relative to the repository root, and its
 * media type (the `data:<mime>` prefix a request builder puts in front of the base64).
 */
import type { FixtureName } from './types.ts';

export interface FixtureFile {
  path: string;
  mediaType: string;
}

export const FIXTURES: Readonly<Record<FixtureName, FixtureFile>> = Object.freeze({
  'face:astronaut': { path: 'fixtures/faces/astronaut.png', mediaType: 'image/png' },
  'face:grace_hopper': { path: 'fixtures/faces/grace_hopper.jpg', mediaType: 'image/jpeg' },
  'scene:coffee': { path: 'fixtures/scenes/coffee.png', mediaType: 'image/png' },
  'mask:center': { path: 'fixtures/media/mask-center.png', mediaType: 'image/png' },
  'video:portrait': { path: 'fixtures/media/portrait.mp4', mediaType: 'video/mp4' },
  'video:portrait-webp': { path: 'fixtures/media/portrait.webp', mediaType: 'image/webp' },
});
