import { describe, expect, it } from 'vitest';
import type { CallResult } from '../client/types.ts';
import { answerKind, errorMessages, fieldsNamed } from './answers.ts';

const res = (status: number | null, body: string): CallResult =>
  ({ status, body: Buffer.from(body), headers: {}, declaredType: null, sniffedType: 'unknown', hops: [], totalMs: 1, ttfbMs: 1 }) as unknown as CallResult;

describe('reading a fleet answer', () => {
  it('tells Modal\'s edge, FastAPI\'s Not Found, 405 and the handler apart', () => {
    expect(answerKind(res(404, 'modal-http: invalid function call'))).toBe('app-not-deployed');
    expect(answerKind(res(404, 'modal-http: app for invoked web endpoint is stopped'))).toBe('app-not-deployed');
    expect(answerKind(res(404, '{"detail":"Not Found"}'))).toBe('route-not-found');
    expect(answerKind(res(404, '{"detail":"LoRA not found: x.safetensors"}'))).toBe('handler');
    expect(answerKind(res(405, '{"detail":"Method Not Allowed"}'))).toBe('method-not-allowed');
    expect(answerKind(res(500, '{"error":"\'prompt\'","details":"…","type":"KeyError"}'))).toBe('handler');
    expect(answerKind(res(null, ''))).toBe('no-answer');
  });

  it('names the fields an error says are required, in every body shape the fleet uses', () => {
    const named = (status: number, body: string) => fieldsNamed(errorMessages(res(status, body)));
    expect(named(400, '{"detail":"reference_image is required for PuLID Flux"}')).toEqual([['reference_image']]);
    expect(named(400, '{"error":"400: reference_image is required","details":"…","type":"HTTPException"}')).toEqual([['reference_image']]);
    expect(named(500, '{"error":"\'prompt\'","details":"…","type":"KeyError"}')).toEqual([['prompt']]);
    expect(named(400, '{"detail":"face_image or reference_face is required (base64 data URL of face to swap in)"}')).toEqual([['face_image', 'reference_face']]);
    expect(named(500, '{"error":"Missing \'image\' field in request. Provide base64-encoded image.","type":"ValueError"}')).toEqual([['image']]);
    expect(named(422, '{"detail":[{"loc":["body","source_images"],"msg":"Field required"}]}')).toEqual([['source_images']]);
    expect(named(500, '{"error":"cannot identify image file","type":"UnidentifiedImageError"}')).toEqual([]);
    expect(named(500, 'Internal Server Error')).toEqual([]);
  });
});
