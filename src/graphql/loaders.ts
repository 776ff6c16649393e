import DataLoader from 'dataloader';

/**
 * The DataLoaders of one request, created on first use and dropped with the request,
 * so batching spans a whole query and no cache outlives it.
 */
export class LoaderRegistry {
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  /**
   * The loader called `name` for this request. `name` must include every argument the
   * batch function depends on (page size, filters, window...), so that one loader
   * only ever batches keys of the same question.
   */
  get<K, V, C = K>(name: string, batch: DataLoader.BatchLoadFn<K, V>, options?: DataLoader.Options<K, V, C>): DataLoader<K, V, C> {
    let loader = this.loaders.get(name);
    if (!loader) {
      loader = new DataLoader<K, V, C>(batch, options) as unknown as DataLoader<unknown, unknown>;
      this.loaders.set(name, loader);
    }
    return loader as unknown as DataLoader<K, V, C>;
  }
}
