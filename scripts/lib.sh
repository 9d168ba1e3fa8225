# Shared by ./claw4j and scripts/test. Sourced, not run.

# Prints the path of a JDK 21 or newer: JAVA_HOME if it is one, else the newest under /usr/lib/jvm.
# A JDK (not a JRE) is needed: the build compiles, and the agent image is jlink'd from it.
find_jdk() {
  local candidates=() dir version
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for dir in /usr/lib/jvm/*; do [ -d "$dir" ] && candidates+=("$dir"); done
  local best="" best_version=0
  for dir in "${candidates[@]}"; do
    [ -x "$dir/bin/javac" ] && [ -x "$dir/bin/jlink" ] || continue
    version=$(jdk_major "$dir") || continue
    if [ "$version" -ge 21 ]; then
      # JAVA_HOME wins when it qualifies; otherwise take the newest
      if [ "$dir" = "${JAVA_HOME:-}" ]; then echo "$dir"; return 0; fi
      if [ "$version" -gt "$best_version" ]; then best=$dir; best_version=$version; fi
    fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  {
    echo "claw4j needs a JDK 21 or newer (with javac and jlink), and found none in JAVA_HOME or /usr/lib/jvm."
    echo "Install one, for example:  apt-get install -y openjdk-21-jdk-headless   (Debian 13 / Ubuntu 24.04)"
    echo "or a Temurin JDK from https://adoptium.net, then set JAVA_HOME to it."
  } >&2
  return 1
}

# The major version of the JDK in $1, read from its release file (no JVM start needed).
jdk_major() {
  local v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
  [ -n "$v" ] && echo "$v"
}
