from ollama_tui.cli import main

raise SystemExit(main())
