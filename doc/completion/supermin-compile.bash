# bash completion for supermin-compile, and for supermin when it is us.
# Plain bash: no need for the bash-completion package's helpers.

_supermin_compile() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd=${COMP_WORDS[1]}
	case $prev in
	--format) COMPREPLY=($(compgen -W 'ext2 cpio chroot' -- "$cur")); return ;;
	--compression) COMPREPLY=($(compgen -W 'none gzip xz zstd' -- "$cur")); return ;;
	-o | --cache-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--lock | --sbom | -f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--size | --keep-days) return ;;
	esac
	if [ "$COMP_CWORD" = 1 ]; then
		COMPREPLY=($(compgen -W 'build list lock diff sbom resolve why glob cache supermin help version' -- "$cur"))
		COMPREPLY+=($(compgen -f -X '!*.toml' -- "$cur") $(compgen -d -S / -- "$cur"))
		return
	fi
	local flags='--cache-dir --offline'
	case $cmd in
	build | *.toml) flags+=' -o --format --size --compression --if-newer --lock --locked --sbom --force' ;;
	list) flags+=' --json --locked' ;;
	lock) flags+=' --check' ;;
	diff) flags='--json' ;;
	sbom) flags+=' -o' ;;
	glob) flags='-f' ;;
	cache)
		[ "$COMP_CWORD" = 2 ] && { COMPREPLY=($(compgen -W 'prune verify --cache-dir' -- "$cur")); return; }
		flags='--cache-dir --keep-days' ;;
	supermin) _supermin_options; return ;;
	help | version) return ;;
	esac
	case $cur in
	-*) COMPREPLY=($(compgen -W "$flags" -- "$cur")) ;;
	*) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}

# supermin 5's options (supermin-compile supermin ..., or run as supermin).
_supermin_options() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-f | --format) COMPREPLY=($(compgen -W 'ext2 chroot' -- "$cur")); return ;;
	-o) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--lock | --packager-config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--host-cpu | --size) return ;;
	esac
	case $cur in
	-*) COMPREPLY=($(compgen -W '--build --copy-kernel -f --format --force --host-cpu --if-newer
		--include-packagelist --list-drivers --lock -o --packager-config --prepare --size
		--use-installed -v --verbose -V --version --help' -- "$cur")) ;;
	*) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}

complete -F _supermin_compile supermin-compile
# supermin too, where the supermin on PATH is us (the Debian package
# diverts it to us, and links this file as supermin's completion).
_smc_self=$(readlink -f "$(command -v supermin-compile)" 2>/dev/null)
if [ -n "$_smc_self" ] && [ "$(readlink -f "$(command -v supermin)" 2>/dev/null)" = "$_smc_self" ]; then
	complete -F _supermin_options supermin
fi
unset _smc_self
