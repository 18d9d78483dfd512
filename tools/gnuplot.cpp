#include "tools/gnuplot.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "tools/command_line.h"

namespace sbpf::tools {

void draw_with_gnuplot(const std::string& png, const std::function<std::string(const std::filesystem::path&)>& write) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("sbpf-plot-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "plot.gp") << write(dir);
  const std::string command = "gnuplot '" + (dir / "plot.gp").string() + "'";
  const int status = std::system(command.c_str());
  std::filesystem::remove_all(dir);
  if (status != 0)
    throw UsageError("gnuplot could not draw " + png +
                     " (is it installed? cmake/install-deps.sh installs gnuplot-nox)");
}

}  // namespace sbpf::tools
