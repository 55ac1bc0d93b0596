# Sourced by the scripts in bin/: points JAVA_HOME at a JDK 21 or newer, or stops with a message.
# Order: JAVA_HOME if it is new enough, then `java` on the PATH, then every JDK under /usr/lib/jvm.

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

jdk_ok() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(java_major "$1")" -ge 21 ] 2>/dev/null
}

find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && jdk_ok "$JAVA_HOME"; then echo "$JAVA_HOME"; return; fi
  if command -v javac >/dev/null 2>&1; then
    local home
    home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if jdk_ok "$home"; then echo "$home"; return; fi
  fi
  local candidate best="" best_major=0 major
  for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -d "$candidate" ] || continue
    jdk_ok "$candidate" || continue
    major=$(java_major "$candidate")
    if [ "$major" -gt "$best_major" ]; then best="$candidate"; best_major=$major; fi
  done
  [ -n "$best" ] && echo "$best"
}

JAVA_HOME=$(find_jdk)
if [ -z "$JAVA_HOME" ]; then
  cat >&2 <<'MSG'
shallowserve needs a JDK 21 or newer, and none was found (looked at JAVA_HOME, the java on PATH
and /usr/lib/jvm). Install one, for example:
  apt-get install -y openjdk-21-jdk-headless     (Debian 13 / Ubuntu 24.04)
  or Temurin from https://adoptium.net
then run this command again, or point JAVA_HOME at it.
MSG
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"

# Maven's own libraries touch sun.misc.Unsafe, which JDK 24+ warns about on every run; allow it quietly.
if [ "$(java_major "$JAVA_HOME")" -ge 24 ]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
