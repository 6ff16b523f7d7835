#include "bench/concurrency/load.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>
#include <sstream>

#include "bench/proc_stats.h"

namespace zerostart::bench::concurrency {

nlohmann::json Machine() {
  std::string model;
  std::istringstream cpuinfo(ReadProcFile("/proc/cpuinfo"));
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  utsname name{};
  ::uname(&name);
  return {{"cpu_model", model}, {"cpus", ::sysconf(_SC_NPROCESSORS_ONLN)}, {"kernel", name.release}};
}

std::string LoadAverage() {
  std::istringstream in(ReadProcFile("/proc/loadavg"));
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double MachineBusySeconds() {
  std::istringstream in(ReadProcFile("/proc/stat"));
  std::string cpu;
  uint64_t v[8] = {};
  in >> cpu >> v[0] >> v[1] >> v[2] >> v[3] >> v[4] >> v[5] >> v[6];
  return static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6]) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double OwnSeconds() {
  auto seconds = [](const rusage& u) {
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  rusage self{}, children{};
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_CHILDREN, &children);
  return seconds(self) + seconds(children);
}

void PrintLoad(const char* name, const nlohmann::json& part) {
  const nlohmann::json& load = part["load"];
  std::printf("Load (%s): load average %s before, %s after; over its %.0f s: this benchmark %.1f CPU s,"
              " other processes %.1f CPU s.\n\n",
              name, load["load_average_before"].get<std::string>().c_str(),
              load["load_average_after"].get<std::string>().c_str(), load["seconds"].get<double>(),
              load["cpu_seconds_this_benchmark"].get<double>(), load["cpu_seconds_other_processes"].get<double>());
}

}  // namespace zerostart::bench::concurrency
