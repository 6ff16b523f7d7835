#include "src/benchmark/results.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>

namespace zerostart::benchmark {

Machine DescribeMachine() {
  Machine m;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) m.cpu_model = line.substr(line.find_first_not_of(" \t", colon + 1));
      break;
    }
  }
  m.cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  struct utsname u {};
  if (uname(&u) == 0) {
    m.kernel = std::string(u.sysname) + " " + u.release + " " + u.version + " " + u.machine;
    m.hostname = u.nodename;
  }
  return m;
}

}  // namespace zerostart::benchmark
