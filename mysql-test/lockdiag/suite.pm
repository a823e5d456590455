package My::Suite::Lockdiag;

# The lockdiag suite: the plugin inside a real server. ctest runs it with
# LOCKDIAG_PLUGIN_DIR pointing at <build>/plugin-dir and the server's
# --plugin-dir set to the same folder (see mysql-test/CMakeLists.txt).

@ISA = qw(My::Suite);

my $dir = $ENV{LOCKDIAG_PLUGIN_DIR};
return "LOCKDIAG_PLUGIN_DIR is not set (run this suite through ctest)" unless $dir;
return "No lockdiag.so in $dir (build the 'lockdiag' target first)" unless -f "$dir/lockdiag.so";

$ENV{LOCKDIAG_SO} = 'lockdiag.so';

sub is_default { 0 }

bless { };
