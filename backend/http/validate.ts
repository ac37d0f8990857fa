import { validator } from 'hono/validator';
import type { z } from 'zod';
import { badRequest, describeZodError } from './errors.ts';

/** hono/validator with a zod schema: a failure becomes a 400 `{error}` naming the field. */
export const zodJson = <T extends z.ZodType>(schema: T) =>
  validator('json', (value): z.infer<T> => {
    const r = schema.safeParse(value);
    if (!r.success) throw badRequest(describeZodError(r.error));
    return r.data;
  });

export const zodQuery = <T extends z.ZodType>(schema: T) =>
  validator('query', (value): z.infer<T> => {
    const r = schema.safeParse(value);
    if (!r.success) throw badRequest(describeZodError(r.error));
    return r.data;
  });

export const zodParam = <T extends z.ZodType>(schema: T) =>
  validator('param', (value): z.infer<T> => {
    const r = schema.safeParse(value);
    if (!r.success) throw badRequest(describeZodError(r.error));
    return r.data;
  });
