/** Media types genprobe can recognise from magic bytes. */
export type SniffedType =
  | 'png'
  | 'jpeg'
  | 'webp' // still WebP
  | 'webp-animated' // VP8X with the animation flag / ANIM chunk
  | 'gif'
  | 'mp4' // ISO BMFF (ftyp)
  | 'webm'
  | 'json'
  | 'text'
  | 'html'
  | 'empty'
  | 'unknown';
