import sys

from shopassist.cli import main

sys.exit(main())
