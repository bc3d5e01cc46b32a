#!/usr/bin/env bash
# A throwaway single-node Apache Kafka broker for Rewind's Kafka tests.
#
#   .ci/kafka.sh start   fetch the broker's jars if missing, start a KRaft
#                        broker+controller on free 127.0.0.1 ports, print
#                        its bootstrap address (127.0.0.1:PORT) and nothing
#                        else on stdout
#   .ci/kafka.sh stop    stop it and remove its data directory
#
# Tests read the address from REWIND_TEST_KAFKA:
#   export REWIND_TEST_KAFKA=$(.ci/kafka.sh start)
#   python3 tests/fixtures/kafka_fixture.py "$REWIND_TEST_KAFKA"
#
# The broker is the real one, run from Maven Central's jars
# (org.apache.kafka:kafka_2.13) with the machine's Java and Maven: there is
# no Docker here, and a distribution tarball is not on a registry. The jars
# are kept in ~/.cache/rewind-ci so only the first start downloads.
# The broker starts empty and makes no topic on its own; the test topics
# are written by tests/fixtures/kafka_fixture.py (.ci/test runs it).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.4.0
BASE="${REWIND_KAFKA_DIR:-/tmp/rewind-kafka}"
CACHE="${REWIND_KAFKA_CACHE:-$HOME/.cache/rewind-ci/kafka-$VERSION}"
LIBS="$CACHE/libs"
# How long the broker may take to answer once started (a cold JVM on a
# busy 2-core machine needs a few seconds; a minute means it is broken).
TIMEOUT="${REWIND_KAFKA_TIMEOUT:-60}"

log() { printf '%s\n' "$*" >&2; }

fail() {
    log "kafka: $*"
    if [ -f "$BASE/server.log" ]; then
        log "--- last lines of $BASE/server.log"
        tail -n 40 "$BASE/server.log" >&2 || true
    fi
    exit 1
}

# Kafka 4.x brokers need Java 17 or newer: the distribution's default
# (17 on Debian 12) when the machine has none.
need_java() {
    if ! command -v java >/dev/null 2>&1; then
        log "installing Java from the distribution's packages"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq default-jre-headless >&2
    fi
}

# The broker's classpath: kafka_2.13 and everything it needs at run time,
# copied out of the local Maven repository into one folder. The stamp is
# written last, so an interrupted download is done again, not half used.
fetch_jars() {
    local stamp="$LIBS/.complete" pom_dir
    if [ -f "$stamp" ]; then
        return
    fi
    if ! command -v mvn >/dev/null 2>&1; then
        log "installing Maven from the distribution's packages"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq maven >&2
    fi
    log "kafka: fetching org.apache.kafka:kafka_2.13:$VERSION and its dependencies"
    pom_dir=$(mktemp -d)
    # kafka_2.13 brings log4j2 and slf4j 1.7 but not the bridge between
    # them (the distribution's tarball adds it); without it the broker logs
    # nothing at all, which leaves a failed start unexplained. Its version
    # is that of the log4j-core which kafka_2.13 $VERSION resolves to.
    cat >"$pom_dir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>rewind.ci</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>2.25.5</version>
    </dependency>
  </dependencies>
</project>
EOF
    rm -rf "$LIBS"
    mkdir -p "$LIBS"
    # Maven's output is shown only when it fails: even quiet, it writes
    # terminal colour codes.
    if ! mvn -q -B -f "$pom_dir/pom.xml" dependency:copy-dependencies \
            -DincludeScope=runtime -DoutputDirectory="$LIBS" >"$pom_dir/mvn.log" 2>&1; then
        cat "$pom_dir/mvn.log" >&2
        rm -rf "$pom_dir"
        fail "Maven could not fetch the broker's jars"
    fi
    rm -rf "$pom_dir"
    ls "$LIBS"/kafka_2.13-"$VERSION".jar >/dev/null || fail "kafka_2.13-$VERSION.jar missing from $LIBS"
    touch "$stamp"
}

# Two ports the kernel just handed out on 127.0.0.1 and that nothing holds
# (fixed ports collide with whatever else the machine runs), and a cluster
# id: 16 random bytes in URL-safe base64 without padding, drawn again if it
# starts with '-' (it would read as an option). One Python for all three:
# each start of one costs a noticeable fraction of a second here.
ports_and_id() {
    python3 - <<'EOF'
import base64, os, socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
cid = "-"
while cid.startswith("-"):
    cid = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()
print(*(s.getsockname()[1] for s in socks), cid)
EOF
}

# Waits up to SECONDS (0: one try) for the broker on PORT to answer a
# Metadata request (v4, non-flexible: the oldest version 4.x still serves)
# by naming itself, node 1 on that port. An open port is not enough: the
# broker accepts connections before it has caught up with its controller.
# Gives up early if process PID (when given) has exited.
await_broker() {
    python3 - "$@" <<'EOF'
import os, socket, struct, sys, time

port, seconds = int(sys.argv[1]), float(sys.argv[2])
pid = int(sys.argv[3]) if len(sys.argv) > 3 else None
client = b"rewind-ci"
# header v1: api_key=3 (Metadata), api_version=4, correlation_id, client_id;
# body: topics=null (all of them), allow_auto_topic_creation=false
req = struct.pack(">hhih", 3, 4, 7, len(client)) + client + struct.pack(">i?", -1, False)

def answers():
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(struct.pack(">i", len(req)) + req)
            buf = b""
            while len(buf) < 4 or len(buf) < 4 + struct.unpack(">i", buf[:4])[0]:
                chunk = s.recv(65536)
                if not chunk:
                    return False
                buf += chunk
        # size, correlation_id, throttle_time_ms, brokers: [node_id, host, port, rack]
        corr, _, count, node = struct.unpack_from(">iiii", buf, 4)
        host_len = struct.unpack_from(">h", buf, 20)[0]
        (broker_port,) = struct.unpack_from(">i", buf, 22 + host_len)
    except (OSError, struct.error):
        return False
    return corr == 7 and count == 1 and node == 1 and broker_port == port

deadline = time.monotonic() + seconds
while not answers():
    if pid is not None:
        try:
            with open(f"/proc/{pid}/stat") as f:
                gone = f.read().rsplit(") ", 1)[1].startswith("Z")
        except OSError:
            gone = True
        if gone:
            sys.exit("the broker exited during startup")
    if time.monotonic() >= deadline:
        sys.exit(f"the broker did not answer on 127.0.0.1:{port} within {seconds:g}s" if seconds else 1)
    time.sleep(0.1)
EOF
}

# Whether PID is still our broker: a live process (not a zombie) whose
# command line is kafka.Kafka with this directory's properties. A pid file
# that outlived its broker may name some other process by now.
is_broker() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ] || return 1
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $BASE/server.properties"
}

running() {
    [ -f "$BASE/broker.pid" ] && is_broker "$(cat "$BASE/broker.pid")"
}

start() {
    if running && [ -f "$BASE/bootstrap" ] && await_broker "$(cut -d: -f2 "$BASE/bootstrap")" 0 2>/dev/null; then
        log "Kafka already running on $(cat "$BASE/bootstrap")"
        cat "$BASE/bootstrap"
        return
    fi
    stop
    need_java
    fetch_jars
    mkdir -p "$BASE/data"

    local port cport cluster_id pid reason
    read -r port cport cluster_id < <(ports_and_id)
    [ -n "$cluster_id" ] || fail "could not pick ports on 127.0.0.1"

    # KRaft, one process as both broker and controller. 4.x formats a
    # single-voter dynamic quorum with `format --standalone`, which wants
    # controller.quorum.bootstrap.servers rather than the static
    # controller.quorum.voters. Replication factors are 1: there is one node
    # (share groups' state topic included). One partition for consumer
    # offsets: the broker creates that topic on a client's first group
    # lookup, and its default 50 partitions take it a while. Topics are
    # only made by the fixture script, never by a mistyped name.
    cat >"$BASE/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$BASE/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
    # Log4j2 to the process's stdout (server.log), at INFO for the broker's
    # own startup lines and WARN for its chattier internals.
    cat >"$BASE/log4j2.properties" <<'EOF'
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=out
logger.kafka.name=kafka
logger.kafka.level=WARN
logger.apache.name=org.apache.kafka
logger.apache.level=WARN
logger.server.name=kafka.server.KafkaRaftServer
logger.server.level=INFO
EOF

    # C1 only (TieredStopAtLevel=1): the JVM starts about a second sooner,
    # and a test broker never runs long enough to gain from C2.
    local jvm=(java -Xms256m -Xmx512m -XX:+UseG1GC -XX:TieredStopAtLevel=1
        -Djava.awt.headless=true
        -Dlog4j2.configurationFile="$BASE/log4j2.properties"
        -Dkafka.logs.dir="$BASE" -cp "$LIBS/*")
    if ! "${jvm[@]}" kafka.tools.StorageTool format --standalone \
            -t "$cluster_id" -c "$BASE/server.properties" >"$BASE/format.log" 2>&1; then
        cat "$BASE/format.log" >&2
        fail "formatting the broker's storage failed"
    fi

    "${jvm[@]}" kafka.Kafka "$BASE/server.properties" \
        >"$BASE/server.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$BASE/broker.pid"

    if ! reason=$(await_broker "$port" "$TIMEOUT" "$pid" 2>&1); then
        kill -KILL "$pid" 2>/dev/null || true
        fail "$reason"
    fi
    echo "127.0.0.1:$port" >"$BASE/bootstrap"
    log "Kafka $VERSION is up on 127.0.0.1:$port (pid $pid, log $BASE/server.log)"
    printf '127.0.0.1:%s\n' "$port"
}

stop() {
    local pid i
    if [ -f "$BASE/broker.pid" ]; then
        pid=$(cat "$BASE/broker.pid")
        if is_broker "$pid"; then
            # TERM lets the broker close its logs cleanly; a test broker's
            # data is thrown away anyway, so it gets ten seconds, then KILL.
            kill -TERM "$pid" 2>/dev/null || true
            for i in $(seq 1 40); do
                is_broker "$pid" || break
                sleep 0.25
            done
            if is_broker "$pid"; then
                log "kafka: the broker ignored TERM; killing it"
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    rm -rf "$BASE"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) log "usage: $0 start|stop"; exit 2 ;;
esac
