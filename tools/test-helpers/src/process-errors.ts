// Records unhandled rejections and uncaught exceptions while a fault test runs: a transport must
// never produce either when its broker dies.

export function watchProcessErrors(): { readonly errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const record = (error: unknown) => errors.push(error);
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  return {
    errors,
    stop() {
      process.off('unhandledRejection', record);
      process.off('uncaughtException', record);
    },
  };
}
