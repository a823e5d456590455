package My::Suite::Lockdiag_version;

# lockdiag's version guard in a real server: lockdiag_wrong_version.so
# (tests/version_guard) claims to be built for MariaDB 0.0.1. Build-tree
# only: the package does not install this suite.

@ISA = qw(My::Suite);

my $dir = $ENV{LOCKDIAG_PLUGIN_DIR};
return "LOCKDIAG_PLUGIN_DIR is not set (run this suite through ctest)" unless $dir;
return "No lockdiag_wrong_version.so in $dir (build the 'lockdiag_wrong_version' target first)"
  unless -f "$dir/lockdiag_wrong_version.so";

sub is_default { 0 }

bless { };
