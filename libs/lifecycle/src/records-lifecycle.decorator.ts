// One declarative line per state-changing method: `@RecordsLifecycle('face', 'uploaded', r => r.id)`.
// After the method succeeds the event is appended for the subject it names; with `onError`, a
// failure appends that event (e.g. 'failed') with the error's reason code and is rethrown.
import type { LifecycleEventName, SubjectKind } from '@talecast/persistence';
import type { LifecycleDetails, LifecycleService } from './lifecycle.service';

export interface HasLifecycle {
  readonly lifecycle: LifecycleService;
}

export interface RecordsLifecycleOptions<R> {
  details?: (result: R, args: unknown[]) => LifecycleDetails;
  /** Event appended when the method throws; the subject then comes from `subjectOnError`. */
  onError?: LifecycleEventName;
  subjectOnError?: (args: unknown[]) => string | undefined;
}

export function RecordsLifecycle<R = unknown>(
  kind: SubjectKind,
  event: LifecycleEventName,
  subject: (result: R, args: unknown[]) => string | undefined,
  options: RecordsLifecycleOptions<R> = {},
): MethodDecorator {
  return (_target, _key, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as (...args: unknown[]) => Promise<R>;
    descriptor.value = async function (this: HasLifecycle, ...args: unknown[]) {
      let result: R;
      try {
        result = await original.apply(this, args);
      } catch (err) {
        const id = options.onError ? options.subjectOnError?.(args) : undefined;
        if (options.onError && id) {
          const code = (err as { code?: unknown }).code;
          await this.lifecycle.record(kind, id, options.onError, { reason: typeof code === 'string' ? code : 'ERROR' }).catch(() => undefined);
        }
        throw err;
      }
      const id = subject(result, args);
      if (id) await this.lifecycle.record(kind, id, event, options.details?.(result, args) ?? {});
      return result;
    };
    return descriptor;
  };
}
