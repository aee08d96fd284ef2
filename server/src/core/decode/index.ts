// The decoders: protocol numbers, ports, tcp-flags, traffic paths, times and byte counts. Pure, no vscode import.
export * from './protocols';
export * from './ports';
export * from './tcpFlags';
export * from './trafficPath';
export * from './time';
export * from './bytes';
