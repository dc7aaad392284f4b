# bash completion for mapdiag(1)                          -*- shell-script -*-
#
# Commands, each command's options and their values, the pid operand (Go
# processes, from `mapdiag __complete pids`) and the <var> operand (package
# variables that are maps or lead to one, from the target's DWARF:
# `mapdiag __complete vars PID PREFIX`; no ptrace, no stop).  The option
# lists are checked against each command's --help by tests/pkg/test_docs.sh.

# The commands; a new command adds its name here and its _mapdiag_opts_NAME.
_mapdiag_commands="attach scan watch ps"
_mapdiag_opts_attach="--help --json --type --debug-file --debug-dir --stop-timeout
	--threads --no-threads --no-stop --color --no-color --oversized-load
	--oversized-bytes --overflow-ratio --high-load --warn-bytes --verbose --explain
	--wide --core --exe"
_mapdiag_opts_scan="--help --core --exe --var-prefix --depth --globals-only --consistent --sort
	--top --min-bytes --by --json --prom --label --oversized-load --oversized-bytes
	--warn-bytes --verbose --explain --wide --debug-file --debug-dir --stop-timeout
	--color --no-color"
_mapdiag_opts_watch="--help --interval --every --duration --count --json --prom
	--label --stuck --parked --hot --oversized-load --oversized-bytes --warn-bytes --type
	--debug-file
	--debug-dir --color --no-color"
_mapdiag_opts_ps="--help --json --debug-dir"
# Options that take a value (in the next word, or after '=').
_mapdiag_valopts=" --type --debug-file --debug-dir --stop-timeout --color
	--oversized-load --oversized-bytes --overflow-ratio --high-load --var-prefix
	--depth --sort --top --min-bytes --by --prom --label --interval --every
	--duration --count --stuck --parked --hot --warn-bytes --core --exe "

# _mapdiag_takes_value WORD: WORD is an option that takes a value.
_mapdiag_takes_value()
{
	[[ " ${_mapdiag_valopts//[$'\n\t']/ } " == *" $1 "* ]]
}

# _mapdiag_value OPTION CUR: complete the value of OPTION.
_mapdiag_value()
{
	case $1 in
	--color) COMPREPLY=($(compgen -W "auto always never" -- "$2")) ;;
	--sort) COMPREPLY=($(compgen -W "bytes severity count load" -- "$2")) ;;
	--by) COMPREPLY=($(compgen -W "owner" -- "$2")) ;;
	--debug-file | --prom)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$2")) ;;
	--debug-dir)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$2")) ;;
	*) COMPREPLY=() ;;   # numbers, durations, sizes, types, labels: nothing to offer
	esac
}

_mapdiag()
{
	local cur=${COMP_WORDS[COMP_CWORD]} md=${COMP_WORDS[0]}
	local cmd="" pid="" nops=0 i w opts dashdash=0
	COMPREPLY=()
	# the mapdiag being completed (./mapdiag, ~/bin/mapdiag), else PATH's
	md=${md/#\~/$HOME}
	[[ $md == */* && -x $md ]] || md=mapdiag

	# --opt=value in one word
	if [[ $cur == --*=* ]]; then
		local opt=${cur%%=*}
		_mapdiag_value "$opt" "${cur#*=}"
		COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
		return 0
	fi
	# the value of the option before (readline splits "--opt=" at '=')
	w=${COMP_WORDS[COMP_CWORD-1]}
	[[ $w == = && $COMP_CWORD -ge 2 ]] && w=${COMP_WORDS[COMP_CWORD-2]}
	[[ $cur == = ]] && { w=${COMP_WORDS[COMP_CWORD-1]}; cur=""; }
	if [[ $COMP_CWORD -ge 2 ]] && _mapdiag_takes_value "$w"; then
		_mapdiag_value "$w" "$cur"
		return 0
	fi

	# the command, then the operands before the cursor
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -z $cmd ]]; then
			[[ $w == -* ]] || cmd=$w
			continue
		fi
		if ((!dashdash)) && [[ $w == -- ]]; then
			dashdash=1
		elif ((!dashdash)) && [[ $w == -* ]]; then
			[[ $w != *=* ]] && _mapdiag_takes_value "$w" && ((i++))
		elif [[ $w != = ]]; then
			((nops == 0)) && pid=$w
			((nops++))
		fi
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-h --help -V --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_mapdiag_commands" -- "$cur"))
		fi
		return 0
	fi
	local v=_mapdiag_opts_${cmd//[^a-z]/_}
	opts=${!v}
	if [[ $cur == -* ]] && ((!dashdash)); then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return 0
	fi
	[[ -n $opts ]] || return 0
	if ((nops == 0)) || [[ $cmd == ps ]]; then
		local line pids=()
		while IFS=$'\t' read -r line _; do
			pids+=("$line")
		done < <("$md" __complete pids 2>/dev/null)
		COMPREPLY=($(compgen -W "${pids[*]}" -- "$cur"))
	elif [[ $cmd != scan && $cur != 0[xX]* && $cur != g[0-9]*/* ]]; then
		local IFS=$'\n'
		COMPREPLY=($("$md" __complete vars "$pid" "$cur" 2>/dev/null))
	fi
	return 0
}
complete -F _mapdiag mapdiag
