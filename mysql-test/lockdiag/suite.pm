package My::Suite::Lockdiag;

# The lockdiag suite: the plugin inside a real server. ctest runs it with
# LOCKDIAG_PLUGIN_DIR pointing at <build>/plugin-dir and the server's
# --plugin-dir set to the same folder (see mysql-test/CMakeLists.txt).
# Installed by the package (mariadb-test-run --suite=lockdiag), it runs
# without LOCKDIAG_PLUGIN_DIR against lockdiag.so in the server's own
# plugin-dir, which mtr passes to the server.

@ISA = qw(My::Suite);

my $dir = $ENV{LOCKDIAG_PLUGIN_DIR} || $::mysqld_variables{'plugin-dir'};
return "LOCKDIAG_PLUGIN_DIR is not set and the server has no plugin-dir (run this suite through ctest)" unless $dir;
$dir =~ s{/+$}{};
return "No lockdiag.so in $dir (build the 'lockdiag' target, or install mariadb-plugin-lockdiag)" unless -f "$dir/lockdiag.so";

$ENV{LOCKDIAG_SO} = 'lockdiag.so';

sub is_default { 0 }

bless { };
