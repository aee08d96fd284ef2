// The decoders: protocol numbers, ports, tcp-flags, traffic paths, times and byte counts.
export * from './protocols';
export * from './ports';
export * from './tcpFlags';
export * from './trafficPath';
export * from './time';
export * from './bytes';
