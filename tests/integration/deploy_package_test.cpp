// Install rules and the .deb: CPack builds the package from this build tree,
// dpkg-deb lists the expected files and maintainer scripts, and the binary
// unpacked into a scratch root runs. `cmake --install` honours the prefix
// and DESTDIR and points the unit at the prefix's binary.
#include <gtest/gtest.h>

#include <regex>

#include "deploy_support.hpp"
#include "support/child_process.hpp"

namespace fno::test {
namespace {

namespace fs = std::filesystem;
const fs::path kBuildDir = FNO_BUILD_DIR;

std::optional<fs::path> build_deb(const TempDir& dir) {
  const auto r = run_to_completion({FNO_CPACK_COMMAND, "-G", "DEB", "--config", (kBuildDir / "CPackConfig.cmake").string(),
                                    "-B", (dir.path() / "out").string()},
                                   dir.path(), {}, std::chrono::minutes(5));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const auto& entry : fs::directory_iterator(dir.path() / "out")) {
    if (entry.path().extension() == ".deb") return entry.path();
  }
  ADD_FAILURE() << "no .deb produced:\n" << r.output;
  return std::nullopt;
}

TEST(DeployPackage, DebHasTheFilesScriptsAndARunnableBinary) {
  const auto dpkg_deb = find_tool("dpkg-deb");
  if (!dpkg_deb) GTEST_SKIP() << "dpkg-deb is not installed";
  TempDir dir("deploy_deb");
  const auto deb = build_deb(dir);
  ASSERT_TRUE(deb);
  EXPECT_TRUE(std::regex_match(deb->filename().string(), std::regex(R"(fno-scanner_[0-9.]+_[a-z0-9]+\.deb)")))
      << deb->filename();

  const auto contents = run_to_completion({dpkg_deb->string(), "-c", deb->string()}, dir.path());
  ASSERT_EQ(contents.exit_code, 0) << contents.output;
  for (const char* path : {"./usr/bin/fno-scanner", "./usr/lib/systemd/system/dhan-scanner.service",
                           "./usr/share/fno-scanner/dhan-scanner.default", "./usr/share/fno-scanner/config.service.json",
                           "./usr/share/fno-scanner/config.example.json", "./usr/share/doc/fno-scanner/DEPLOY.md",
                           "./usr/share/doc/fno-scanner/copyright"}) {
    EXPECT_NE(contents.output.find(std::string(path) + "\n"), std::string::npos) << path << "\n" << contents.output;
  }
  EXPECT_EQ(contents.output.find("./etc/"), std::string::npos) << "secrets templates are copied by postinst, not shipped";

  const auto info = run_to_completion({dpkg_deb->string(), "-I", deb->string()}, dir.path());
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("Package: fno-scanner"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("adduser"), std::string::npos) << info.output;
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    EXPECT_NE(info.output.find(script), std::string::npos) << script << "\n" << info.output;
  }

  const fs::path root = dir.path() / "root";
  const auto unpack = run_to_completion({dpkg_deb->string(), "-x", deb->string(), root.string()}, dir.path());
  ASSERT_EQ(unpack.exit_code, 0) << unpack.output;
  const auto version = run_to_completion({(root / "usr/bin/fno-scanner").string(), "version"}, dir.path());
  EXPECT_EQ(version.exit_code, 0) << version.output;
  EXPECT_EQ(version.output.rfind("fno-scanner ", 0), 0u) << version.output;
  const std::string unit = read_text(root / "usr/lib/systemd/system/dhan-scanner.service");
  EXPECT_NE(unit.find("ExecStart=/usr/bin/fno-scanner --config /etc/dhan-scanner/config.json"), std::string::npos);
}

TEST(DeployPackage, PostinstDoesNotEnableOrStartTheService) {
  std::istringstream postinst(read_text(kSourceDir / "deploy" / "debian" / "postinst"));
  int told = 0;
  for (std::string line; std::getline(postinst, line);) {
    const auto words = line.find_first_not_of(' ');
    const std::string code = words == std::string::npos ? "" : line.substr(words);
    if (code.find("systemctl enable") != std::string::npos || code.find("systemctl start") != std::string::npos) {
      EXPECT_EQ(code.rfind("echo ", 0), 0u) << "postinst may only tell the admin, not run: " << line;
      ++told;
    }
  }
  EXPECT_EQ(told, 1);
}

TEST(DeployPackage, InstallHonoursPrefixAndDestdir) {
  TempDir dir("deploy_install");
  const auto r = run_to_completion({FNO_CMAKE_COMMAND, "--install", kBuildDir.string(), "--prefix", "/opt/fno"},
                                   dir.path(), {{"DESTDIR", (dir.path() / "stage").string()}}, std::chrono::minutes(2));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const fs::path prefix = dir.path() / "stage/opt/fno";
  EXPECT_TRUE(fs::exists(prefix / "bin/fno-scanner"));
  EXPECT_TRUE(fs::exists(prefix / "share/fno-scanner/dhan-scanner.default"));
  EXPECT_TRUE(fs::exists(prefix / "share/doc/fno-scanner/DEPLOY.md"));
  const std::string unit = read_text(prefix / "lib/systemd/system/dhan-scanner.service");
  EXPECT_NE(unit.find("ExecStart=/opt/fno/bin/fno-scanner --config"), std::string::npos) << unit;
  EXPECT_EQ(unit.find("/usr/bin/fno-scanner"), std::string::npos) << unit;
}

}  // namespace
}  // namespace fno::test
