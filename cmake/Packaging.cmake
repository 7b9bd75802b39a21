# Install rules and the .deb (CPack DEB generator).
#
#   make install [PREFIX=/usr/local] [DESTDIR=...]   binary, unit, templates, docs
#   make package                                      build/<preset>/fno-scanner_<ver>_<arch>.deb
#
# Layout under the prefix (the .deb uses /usr):
#   bin/fno-scanner
#   lib/systemd/system/dhan-scanner.service   ExecStart rewritten to this prefix's binary
#   share/fno-scanner/                         dhan-scanner.default, config.service.json,
#                                              config.example.json (templates)
#   share/doc/fno-scanner/                     DEPLOY.md, README.md, copyright
# Nothing is installed to an absolute path: the .deb's postinst copies the
# templates to /etc/default/dhan-scanner (mode 600) and
# /etc/dhan-scanner/config.json when they do not exist yet, creates the
# dhan-scanner user, and leaves the service disabled until credentials exist.
include(GNUInstallDirs)

# `install`/`package` build only what they install (fno-scanner), not every
# test and benchmark.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS fno-scanner RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The unit names /usr/bin/fno-scanner; an install under another prefix must
# point it at that prefix's binary. Runs at install time, so it sees the
# prefix given to `cmake --install --prefix` or CPack (with DESTDIR staging).
set(FNO_UNIT_SOURCE ${PROJECT_SOURCE_DIR}/deploy/dhan-scanner.service)
install(CODE "
  file(READ [[${FNO_UNIT_SOURCE}]] unit)
  string(REPLACE \"/usr/bin/fno-scanner\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/fno-scanner\" unit \"\${unit}\")
  set(dest \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\")
  message(STATUS \"Installing: \${dest}/dhan-scanner.service\")
  file(MAKE_DIRECTORY \"\${dest}\")
  file(WRITE \"\${dest}/dhan-scanner.service\" \"\${unit}\")
")

install(FILES
  ${PROJECT_SOURCE_DIR}/deploy/dhan-scanner.default
  ${PROJECT_SOURCE_DIR}/deploy/config.service.json
  ${PROJECT_SOURCE_DIR}/config.example.json
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fno-scanner)
# Debian names the doc directory after the package, not the CMake project.
set(FNO_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/fno-scanner)
install(FILES ${PROJECT_SOURCE_DIR}/docs/DEPLOY.md ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION ${FNO_DOC_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${FNO_DOC_DIR} RENAME copyright)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fno-scanner)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "fno-scanner maintainers <fno-scanner@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "real-time F&O breakout scanner for the Dhan market feed")
set(CPACK_PACKAGE_DESCRIPTION
  "Connects to Dhan's WebSocket feed, builds 1-minute candles, runs breakout and EMA strategies, stores alerts in SQLite, pushes them to Telegram and serves a live dashboard. Runs as the hardened dhan-scanner systemd service.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, ca-certificates, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
  ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
  ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
