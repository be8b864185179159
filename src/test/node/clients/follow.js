'use strict';
// One Node.js ElastiCache client with auto-discovery, pointed at a configuration endpoint (Memgrate), reporting the
// nodes it uses for NodeClientsTest (src/test/java/io/memgrate/client/node), which makes the changes and times them.
//
//   node follow.js <client> <host:port> <poll millis> <max seconds>
//
// client: memcache | memcache-legacy | memcached-elasticache | memcache-plus (versions pinned in package.json).
// Prints "started <package> <version> on Node.js <version>" as it creates the client, then one line each time the
// set of node ports the client uses changes, "nodes <port>,<port>,..." (sorted, empty before it holds any), and "error <message>" for what the client reports failing. Exits after <max seconds> or when
// its standard input closes, so that it never outlives the test that started it.

const [clientName, endpoint, pollArg, maxArg] = process.argv.slice(2);
const pollMillis = Number.parseInt(pollArg, 10);
const maxSeconds = Number.parseInt(maxArg, 10);
if (!clientName || !endpoint || !(pollMillis > 0) || !(maxSeconds > 0)) {
    console.error('usage: node follow.js <memcache|memcache-legacy|memcached-elasticache|memcache-plus>'
        + ' <host:port> <poll millis> <max seconds>');
    process.exit(2);
}

const fs = require('fs');
const path = require('path');

const reportError = (error) => console.log(`error ${String(error && error.message ? error.message : error).split('\n')[0]}`);

// Each client's npm package, and the client started as the application would start it with the "host:port" ids of
// the nodes it uses now (read from its state: the clients emit no event for every change, and the
// memcached-elasticache client starts on the endpoint).
const clients = {
    'memcache': { npmPackage: 'memcache', start: (loaded) => memcacheClient(loaded, false) },
    'memcache-legacy': { npmPackage: 'memcache', start: (loaded) => memcacheClient(loaded, true) },
    'memcached-elasticache': {
        npmPackage: 'memcached-elasticache',
        start: (Client) => {
            const client = new Client(endpoint, { autoDiscoverInterval: pollMillis });
            client.on('autoDiscoverFailure', reportError);
            return { nodes: () => [].concat(client._innerClient.servers), close: () => client.end() };
        },
    },
    'memcache-plus': {
        npmPackage: 'memcache-plus',
        start: (MemcachePlus) => {
            const client = new MemcachePlus({ hosts: [endpoint], autodiscover: true, onNetError: reportError });
            return { nodes: () => Object.keys(client.connections), close: () => client.disconnect() };
        },
    },
};

function memcacheClient({ Memcache }, legacyKey) {
    const client = new Memcache({
        nodes: [],
        autoDiscover: { enabled: true, configEndpoint: endpoint, pollingInterval: pollMillis, useLegacyCommand: legacyKey },
    });
    client.on('autoDiscoverError', reportError);
    client.connect().catch(reportError);
    return { nodes: () => client.nodeIds, close: () => client.disconnect() };
}

const chosen = clients[clientName];
if (!chosen) {
    console.error(`unknown client ${clientName}: one of ${Object.keys(clients).join(', ')}`);
    process.exit(2);
}

// loaded before the start is reported, so that the times measured are the client's, not the loading of its modules
const loaded = require(chosen.npmPackage);
const installed = JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', chosen.npmPackage, 'package.json'), 'utf8'));
console.log(`started \`${chosen.npmPackage}\` ${installed.version} on Node.js ${process.version}`);
const client = chosen.start(loaded);
let reported = null;
const report = () => {
    const ports = client.nodes().map((id) => Number.parseInt(id.slice(id.lastIndexOf(':') + 1), 10)).sort((a, b) => a - b);
    const line = `nodes ${ports.join(',')}`;
    if (line !== reported) {
        reported = line;
        console.log(line);
    }
};
report();
const sampler = setInterval(report, 20);

const stop = () => {
    clearInterval(sampler);
    Promise.resolve().then(() => client.close()).catch(() => {}).finally(() => process.exit(0));
    // a client whose close hangs must not keep the process
    setTimeout(() => process.exit(0), 1000).unref();
};
setTimeout(stop, maxSeconds * 1000).unref();
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
