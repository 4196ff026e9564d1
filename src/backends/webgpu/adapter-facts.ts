// What a WebGPU adapter says of itself, read one way for every caller: `adapter.info` where the
// browser has it, and `isFallbackAdapter` where older ones put it, on the adapter itself.

export interface AdapterFacts {
  vendor?: string;
  architecture?: string;
  description?: string;
  /** A software adapter (SwiftShader and the like). */
  isFallbackAdapter: boolean;
}

type AdapterWithInfo = GPUAdapter & { info?: Omit<AdapterFacts, 'isFallbackAdapter'> & { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean };

export function adapterFacts(adapter: GPUAdapter): AdapterFacts {
  const { info, isFallbackAdapter } = adapter as AdapterWithInfo;
  return { vendor: info?.vendor, architecture: info?.architecture, description: info?.description, isFallbackAdapter: isFallbackAdapter ?? info?.isFallbackAdapter ?? false };
}

/** "vendor architecture description", or 'unknown adapter'. */
export function describeAdapter(facts: AdapterFacts): string {
  return [facts.vendor, facts.architecture, facts.description].filter(Boolean).join(' ') || 'unknown adapter';
}
