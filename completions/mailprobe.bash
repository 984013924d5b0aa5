# bash completion for mailprobe. The option names are read from the
# installed binary (`mailprobe <command> --help`) each time, so they always
# match the version on PATH.
_mailprobe() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local commands="check probe serve demo cleanup completion"
  local cmd=check first=${COMP_WORDS[1]:-}
  case " $commands " in *" $first "*) cmd=$first ;; esac

  if ((COMP_CWORD == 1)) && [[ $cur != -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$commands help" -- "$cur")
    return
  fi
  case $prev in
    --output-format) mapfile -t COMPREPLY < <(compgen -W "text json influx prometheus nagios" -- "$cur"); return ;;
    --smtp-tls|--imap-tls|--tls) mapfile -t COMPREPLY < <(compgen -W "starttls tls none" -- "$cur"); return ;;
    --junk-mailbox) mapfile -t COMPREPLY < <(compgen -W "auto none Junk" -- "$cur"); return ;;
    --schema) mapfile -t COMPREPLY < <(compgen -W "standard legacy seed" -- "$cur"); return ;;
    *-file|--textfile|--state-file|--maildir) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
  esac
  if [[ $cmd == completion ]]; then
    mapfile -t COMPREPLY < <(compgen -W "bash zsh" -- "$cur")
    return
  fi
  if [[ $cmd == probe ]] && ((COMP_CWORD == 2)) && [[ $cur != -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "smtp imap mx" -- "$cur")
    return
  fi
  local opts
  opts=$("${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)
  mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
}
complete -o default -F _mailprobe mailprobe
